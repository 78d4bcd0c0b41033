/** GET /api/v1/jurisdictions: other governments' reported figures, for comparison only. */
import { z } from 'zod';
import { Qualifier } from './content.ts';
import { AttributedView } from './plan-view.ts';

export const ComparisonView = z.object({
  notice: z.string(),
  notice_en: z.string(),
  jurisdictions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      name_en: z.string(),
      level: z.string(),
      province: AttributedView.nullable(),
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
              /** Null where the source gives no time (原文未写时点). */
              as_of: z.string().nullable(),
              /** The source's words for a period that is not a date ("2021年以来"), shown as written. */
              as_of_text: z.string().nullable(),
              /** How the figure's scope differs from its indicator, where it is mapped to one. */
              scope_note: z.string().nullable(),
              quote: z.string(),
            }),
          ),
        }),
      ),
    }),
  ),
});
