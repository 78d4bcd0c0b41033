/** GET /api/v1/jurisdictions: other governments' reported figures, for comparison only. */
import { z } from 'zod';
import { Qualifier } from './content.ts';

export const ComparisonView = z.object({
  notice: z.string(),
  notice_en: z.string(),
  jurisdictions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      name_en: z.string(),
      level: z.string(),
      province: z.string(),
      reports: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          doc_number: z.string().nullable(),
          issuer: z.string(),
          date: z.string().nullable(),
          addressee: z.string().nullable(),
          source_file: z.string(),
          note: z.string().nullable(),
          figures: z.array(
            z.object({
              id: z.string(),
              indicator: z.string().nullable(),
              label: z.string(),
              value: z.number(),
              unit: z.string(),
              qualifier: Qualifier,
              text: z.string(),
              as_of: z.string(),
              quote: z.string(),
            }),
          ),
        }),
      ),
    }),
  ),
});
