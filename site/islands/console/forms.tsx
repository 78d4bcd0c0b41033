/**
 * Form helpers: validation with the API's own zod schemas (messages in Chinese, keyed by the
 * field path the API uses, e.g. `measurements.0.value`), and labelled fields whose error is
 * linked with aria-describedby. After a failed submit, focus goes to the error summary.
 */
import { useId, type ReactNode, type RefObject } from 'react';
import type { z } from 'zod';
import { zhOnly, type FieldProblem } from './api.ts';
import { safeHref } from './labels.ts';

export type Errors = Record<string, string>;

/** Validates `value` with `schema`: the parsed data, or the field errors (first message per path). */
export function check<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.output<S> } | { ok: false; errors: Errors } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, data: r.data };
  return { ok: false, errors: toErrors(r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: zhOnly(i.message) }))) };
}

/** Field problems (from zod or from the API's `fields`) as a path → message map. */
export function toErrors(fields: FieldProblem[]): Errors {
  const out: Errors = {};
  for (const f of fields) if (!(f.path in out)) out[f.path] = zhOnly(f.message);
  return out;
}

/** The id of the input for a field path (stable, usable in href="#…"). */
export const fieldId = (form: string, path: string): string => `${form}-${path.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

interface FieldProps {
  form: string;
  path: string;
  label: string;
  errors: Errors;
  hint?: string;
  children: (a: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode;
}

/** A label, the control, an optional hint and the field's error message. */
export function Field({ form, path, label, errors, hint, children }: FieldProps) {
  const id = fieldId(form, path);
  const error = errors[path];
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children({ id, 'aria-describedby': described, 'aria-invalid': error ? true : undefined })}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The list of errors at the top of a form; each links to its field. */
export function ErrorSummary({ form, errors, labels, summaryRef }: { form: string; errors: Errors; labels: (path: string) => string; summaryRef: RefObject<HTMLDivElement | null> }) {
  const paths = Object.keys(errors);
  const titleId = useId();
  if (!paths.length) return <div ref={summaryRef} tabIndex={-1} />;
  return (
    <div className="error-summary" role="alert" aria-labelledby={titleId} ref={summaryRef} tabIndex={-1}>
      <h3 id={titleId}>请修改以下 {paths.length} 处后再提交</h3>
      <ul>
        {paths.map((p) => (
          <li key={p}>
            <a href={`#${fieldId(form, p)}`}>
              {labels(p)}：{errors[p]}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A message in a live region (status or error). */
export function Notice({ kind, children }: { kind: 'ok' | 'error' | 'info'; children: ReactNode }) {
  return (
    <div className={`console-notice console-notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** The responsible units as the options of a select (after its own "all" / "none" option). */
export function UnitOptions({ units }: { units: { id: string; name: string }[] | undefined }) {
  return (
    <>
      {units?.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name}
        </option>
      ))}
    </>
  );
}

/** An evidence link as typed by a reporter: a link only for http(s) addresses, otherwise inert text. */
export function EvidenceLink({ evidence: e }: { evidence: { url: string; title?: string } }) {
  const href = safeHref(e.url);
  return href ? (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank">
      {e.title || e.url}
    </a>
  ) : (
    <>{e.title || e.url}</>
  );
}
