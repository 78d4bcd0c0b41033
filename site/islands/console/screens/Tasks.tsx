/**
 * Reporter: 我的任务. Opens on what needs the reporter now (returned, overdue, never reported, due
 * soon — my-tasks.ts), then every task grouped under its key task (collapsed, so a task is two taps
 * away: its key task, then 填写进展), marked 牵头 / 配合, with filters by status and milestone and a
 * title search; the update form (validated with UpdateInput, the API's schema); and 我的报送 (one
 * tap from the top): what waits in this browser, what the server has, and the review outcome.
 * Everything is shown from the copy kept in this browser first (local.ts), so the screen opens
 * offline and at once on a slow network, then refreshed from the server.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import type { UpdateView } from '../../../../worker/domain/update.ts';
import { parentAllowance, parentReportRefusal, type Descendant, type ParentAllowance } from '../../../../worker/domain/parent-rule.ts';
import type { TaskNode, TaskStatus } from '../../../../worker/domain/plan-view.ts';
import { TASK_STATE_WORDS } from '../../../../worker/domain/status-words.ts';
import { flags } from '../../../../worker/domain/supervision.ts';
import { failureText, NetworkFailure } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, type Errors, EvidenceLink } from '../forms.tsx';
import { cstTime, STATE_ZH, STATUS_ZH, todayCst } from '../labels.ts';
import { freshPlan, keptPlan, type PlanIndex } from '../plan.ts';
import { kept, revalidate } from '../local.ts';
import { filtering, groupByKeyTask, keyTaskOf, matches, ME_TASKS, needsNow, noFilters, partOf, type Filters, type MyTask } from '../my-tasks.ts';
import { report } from '../sync.ts';
import { drafts, dropBlobs, emptyDraft, enqueue, flush, onProgress, onQueueChange, outbox, progressOf, removeFile, retryFile, saveDraft, takeBack, type Draft, type DraftFile, type OutboxEntry } from '../queue.ts';
import { attachmentProblems, EVIDENCE_REQUIRED, sizeText } from '../evidence-plan.ts';

// The file picker and the file views load when a form opens or a report has files, not with the list.
const Attachments = lazy(() => import('../Attachments.tsx').then((m) => ({ default: m.Attachments })));
const LocalThumb = lazy(() => import('../Attachments.tsx').then((m) => ({ default: m.LocalThumb })));
const AttachmentList = lazy(() => import('../evidence-view.tsx').then((m) => ({ default: m.AttachmentList })));

/** What the console reads of GET /towns/{town}/progress (TownProgress, worker/domain/public-model.ts). */
interface Progress {
  tasks?: { id: string; state: string; percent: number | null }[];
  /** Approved values in (indicator, date) order: the last of an indicator is its latest. */
  values?: { indicator: string; value: number; as_of: string; source: string; approved_at: string }[];
}

type Urgency = { rank: number; label: string; cls: string };

function urgency(t: MyTask, start: string, today: string): Urgency {
  const f = flags(
    { id: t.id, parent: null, weight: 1, due: t.due_date, start, last: null },
    { status: t.status as never, percent: t.status === 'completed' ? 100 : t.percent, rolled_up: false, last: t.last_approved as never },
    today,
  );
  if (f.overdue_days !== null) return { rank: 0, label: `已逾期 ${f.overdue_days} 天`, cls: 'urgency-overdue' };
  if (f.at_risk) return { rank: 1, label: f.at_risk === 'blocked' ? '有风险：受阻' : '有风险：进度落后', cls: 'urgency-risk' };
  if (t.status === 'completed') return { rank: 3, label: '已完成', cls: 'urgency-done' };
  return { rank: 2, label: '进行中', cls: 'urgency-soon' };
}

/**
 * What the sub-tasks' approved reports allow a report on this task to say, by the API's own rule;
 * null for a task without sub-tasks, or while the approved states are not known yet (the API
 * still judges the report).
 */
function allowanceOf(node: TaskNode | undefined, progress: Progress | null): ParentAllowance | null {
  if (!node?.children.length || !progress?.tasks) return null;
  const approved = new Map(progress.tasks.map((t) => [t.id, t]));
  const below: Descendant[] = [];
  const walk = (n: TaskNode) =>
    n.children.forEach((c) => {
      const a = approved.get(c.id);
      // A sub-task's public state is its latest approved report's (not_reported: none yet).
      below.push({ id: c.id, code: c.code, parent: n.id, weight: c.weight, last: a && a.state !== 'not_reported' ? { status: a.state as TaskStatus, percent: a.percent ?? 0 } : null });
      walk(c);
    });
  walk(node);
  return parentAllowance(node.id, below);
}

const FIELD_LABELS: Record<string, string> = { status: '状态', percent: '完成比例', narrative: '进展说明', measurements: '指标值', evidence: '佐证链接', attachments: '佐证材料' };
function labelOf(path: string): string {
  const [head, i, leaf] = path.split('.');
  const sub: Record<string, string> = { indicator: '指标', value: '数值', as_of: '数据日期', source: '数据来源', url: '链接', title: '标题', caption: '说明', file: '文件', thumb: '缩略图' };
  if (i !== undefined && leaf) return `${FIELD_LABELS[head!] ?? head} 第${Number(i) + 1}${head === 'attachments' ? '个文件' : '项'}的${sub[leaf] ?? leaf}`;
  return FIELD_LABELS[head!] ?? path;
}

/** The form as typed → the API payload (numbers parsed; an empty number stays missing so zod names it). */
function toPayload(d: Draft) {
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  return {
    status: d.status,
    percent: num(d.percent),
    narrative: d.narrative,
    measurements: d.measurements.map((m) => ({ indicator: m.indicator, value: num(m.value), as_of: m.as_of, source: m.source })),
    evidence: d.evidence.map((e) => ({ url: e.url.trim(), ...(e.title.trim() ? { title: e.title } : {}) })),
  };
}

function UpdateForm({ task, ref_, plan, allow, account, onSubmitted }: { task: MyTask; ref_: string; plan: PlanIndex; allow: ParentAllowance | null; account: string; onSubmitted: () => void }) {
  const form = `upd-${task.id}`;
  const completedBlocked = !!allow?.unfinished.length;
  const [draft, setDraft] = useState<Draft>(
    () =>
      drafts(account)[ref_] ??
      emptyDraft(task.status === 'not_started' || (completedBlocked && task.status === 'completed') ? 'in_progress' : task.status, String(allow ? Math.min(task.percent, allow.max_percent) : task.percent)),
  );
  const [errors, setErrors] = useState<Errors>({});
  const summary = useRef<HTMLDivElement>(null);
  const numeric = (plan.tasks.get(task.id)?.indicators ?? []).map((id) => plan.indicators.get(id)).filter((i) => i?.kind === 'numeric');

  // Put back text the server refused (the outbox hands it to the draft store).
  useEffect(() => onQueueChange(() => {
    const d = drafts(account)[ref_];
    if (d) setDraft((cur) => (JSON.stringify(cur) === JSON.stringify(d) ? cur : d));
  }), [account, ref_]);

  const change = (d: Draft) => {
    setDraft(d);
    saveDraft(account, ref_, d);
  };
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => change({ ...draft, [k]: v });
  const files = draft.files ?? [];
  const needsEvidence = !!task.evidence_required;

  // The schema (and zod with it) loads when a form opens, not with the list: the list is what a
  // first visit on a slow network waits for.
  const schema = useRef(import('../../../../worker/domain/update.ts'));
  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    const { UpdateInput } = await schema.current;
    const checked = check(UpdateInput, toPayload(draft));
    // The parent rule is the API's own (worker/domain/parent-rule.ts): refused here, not after a round trip.
    const refusal = checked.ok ? parentReportRefusal(allow, checked.data) : null;
    const v = refusal ? { ok: false as const, errors: Object.fromEntries(refusal.fields.map((f) => [f.path, f.message])) } : checked;
    // The files' own rules (count, captions, the evidence rule) are checked here; the sha256s join the body when sent.
    const fileErrors = attachmentProblems(files, { status: draft.status, evidenceRequired: needsEvidence });
    if (!v.ok || Object.keys(fileErrors).length) {
      setErrors({ ...(v.ok ? {} : v.errors), ...fileErrors });
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setErrors({});
    saveDraft(account, ref_, draft);
    enqueue(account, { task: ref_, title: task.title, ifMatch: task.version, body: v.data, draft });
    onSubmitted();
  };

  return (
    <form className="update-form" onSubmit={submit} noValidate aria-labelledby={`${form}-title`}>
      <h4 id={`${form}-title`}>填写进展：{task.title}</h4>
      <p className="hint">填写的内容随时保存在本机，提交成功前不会丢失。</p>
      <ErrorSummary form={form} errors={errors} labels={labelOf} summaryRef={summary} />
      <Field
        form={form}
        path="status"
        label="状态"
        errors={errors}
        hint={
          [
            allow
              ? `这是上级任务，进度由 ${allow.children.length} 项子任务加权汇总（目前 ${allow.rolled_up}%）。${completedBlocked ? `子任务全部审核通过为已完成后才能报已完成；未完成：${allow.unfinished.map((c) => `${c.code}（${TASK_STATE_WORDS.zh[c.state]}）`).join('、')}。` : ''}`
              : '',
            needsEvidence ? `${EVIDENCE_REQUIRED}（在下面“佐证材料”中添加）。` : '',
          ].join('') || undefined
        }
      >
        {(a) => (
          <select {...a} value={draft.status} onChange={(e) => set('status', e.target.value)}>
            {Object.entries(STATUS_ZH).map(([k, v]) => (
              <option key={k} value={k} disabled={k === 'completed' && completedBlocked}>
                {k === 'completed' && completedBlocked ? `${v}（子任务未全部完成）` : v}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field form={form} path="percent" label="完成比例（0–100）" errors={errors} hint={allow ? `最多 ${allow.max_percent}%（不超过子任务汇总的进度）。` : undefined}>
        {(a) => <input {...a} inputMode="numeric" value={draft.percent} onChange={(e) => set('percent', e.target.value)} />}
      </Field>
      <Field form={form} path="narrative" label="进展说明" errors={errors} hint="写明做了什么、还差什么。">
        {(a) => <textarea {...a} value={draft.narrative} onChange={(e) => set('narrative', e.target.value)} />}
      </Field>
      {numeric.length > 0 && (
        <fieldset>
          <legend>指标值</legend>
          {draft.measurements.map((m, i) => {
            const upd = (k: keyof typeof m, v: string) => set('measurements', draft.measurements.map((x, j) => (j === i ? { ...x, [k]: v } : x)));
            return (
              <div key={i} className="console-grid">
                <Field form={form} path={`measurements.${i}.indicator`} label={`第${i + 1}项 指标`} errors={errors}>
                  {(a) => (
                    <select {...a} value={m.indicator} onChange={(e) => upd('indicator', e.target.value)}>
                      <option value="">请选择</option>
                      {numeric.map((ind) => (
                        <option key={ind!.id} value={ind!.id}>
                          {ind!.name}
                          {ind!.unit ? `（${ind!.unit}）` : ''}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field form={form} path={`measurements.${i}.value`} label="数值" errors={errors}>
                  {(a) => <input {...a} inputMode="decimal" value={m.value} onChange={(e) => upd('value', e.target.value)} />}
                </Field>
                <Field form={form} path={`measurements.${i}.as_of`} label="数据日期" errors={errors}>
                  {(a) => <input {...a} type="date" value={m.as_of} onChange={(e) => upd('as_of', e.target.value)} />}
                </Field>
                <Field form={form} path={`measurements.${i}.source`} label="数据来源" errors={errors}>
                  {(a) => <input {...a} value={m.source} onChange={(e) => upd('source', e.target.value)} />}
                </Field>
                <p>
                  <button type="button" className="button" onClick={() => set('measurements', draft.measurements.filter((_, j) => j !== i))}>
                    删除第{i + 1}项指标值
                  </button>
                </p>
              </div>
            );
          })}
          <button type="button" className="button" onClick={() => set('measurements', [...draft.measurements, { indicator: '', value: '', as_of: todayCst(), source: '' }])}>
            添加指标值
          </button>
        </fieldset>
      )}
      <Suspense fallback={<p className="hint">正在准备佐证材料……</p>}>
      <Attachments
        form={form}
        files={files}
        errors={errors}
        onChange={(f) => set('files', f)}
        onRemoved={(gone) => void Promise.resolve().then(() => dropBlobs(account, gone))}
        note={needsEvidence ? <p className="evidence-rule">{EVIDENCE_REQUIRED}。</p> : undefined}
        visibilityNote="上传的文件默认“仅内部”可见，镇领导小组办公室审核时决定哪些可以公开。"
      />
      </Suspense>
      <fieldset>
        <legend>佐证链接</legend>
        {draft.evidence.map((ev, i) => {
          const upd = (k: keyof typeof ev, v: string) => set('evidence', draft.evidence.map((x, j) => (j === i ? { ...x, [k]: v } : x)));
          return (
            <div key={i} className="console-grid">
              <Field form={form} path={`evidence.${i}.url`} label={`第${i + 1}个 链接`} errors={errors}>
                {(a) => <input {...a} type="url" inputMode="url" value={ev.url} onChange={(e) => upd('url', e.target.value)} />}
              </Field>
              <Field form={form} path={`evidence.${i}.title`} label="标题（可不填）" errors={errors}>
                {(a) => <input {...a} value={ev.title} onChange={(e) => upd('title', e.target.value)} />}
              </Field>
              <p>
                <button type="button" className="button" onClick={() => set('evidence', draft.evidence.filter((_, j) => j !== i))}>
                  删除第{i + 1}个链接
                </button>
              </p>
            </div>
          );
        })}
        <button type="button" className="button" onClick={() => set('evidence', [...draft.evidence, { url: '', title: '' }])}>
          添加佐证链接
        </button>
      </fieldset>
      <button type="submit" className="button button-primary">
        提交进展
      </button>
    </form>
  );
}

const FILE_STATE: Record<NonNullable<DraftFile['state']>, string> = { waiting: '等待上传', sending: '正在上传', stored: '已上传', failed: '上传失败' };

/** The files of a waiting report: each with its upload state and progress; a failed one can be retried or removed. */
function OutboxFiles({ entry: e, account, onChanged }: { entry: OutboxEntry; account: string; onChanged: () => void }) {
  const [, tick] = useState(0);
  useEffect(() => onProgress(() => tick((n) => n + 1)), []);
  const files = e.files ?? [];
  return (
    <ul className="attachment-list outbox-files">
      {files.map((f, i) => {
        const p = progressOf(f.id);
        const total = f.bytes + f.thumbBytes;
        return (
          <li key={f.id} data-file={f.id} data-file-state={f.state}>
            <Suspense fallback={null}>
              <LocalThumb file={f} className="attachment-thumb" />
            </Suspense>
            <p className="attachment-meta">
              {f.caption}（{sizeText(total)}）：<strong>{FILE_STATE[f.state ?? 'waiting']}</strong>
              {p && f.state === 'sending' ? ` ${Math.floor((p.sent / p.total) * 100)}%` : ''}
            </p>
            {f.state === 'sending' && (
              <progress className="attachment-progress" max={total} value={p?.sent ?? 0} aria-label={`第${i + 1}个文件上传进度`} />
            )}
            {/* A network failure is said once, for the whole report, below; a refusal belongs to its file. */}
            {f.error && f.state === 'failed' && <p className="field-error">{f.error}</p>}
            {f.state === 'failed' && (
              <div className="console-actions">
                <button type="button" className="button" onClick={() => (retryFile(account, e.key, f.id), onChanged())}>
                  重试第{i + 1}个文件
                </button>
                <button type="button" className="button" onClick={() => void removeFile(account, e.key, f.id).then(onChanged)}>
                  移除第{i + 1}个文件，报送其余内容
                </button>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Outbox({ entries, account, onTakeBack, onSend }: { entries: OutboxEntry[]; account: string; onTakeBack: (task: string) => void; onSend: () => void }) {
  if (!entries.length) return null;
  return (
    <>
      <h3>本机待发送</h3>
      <ul className="console-list outbox">
        {entries.map((e) => (
          <li key={e.key} data-state={e.state}>
            <p>
              <strong className="status">{e.state === 'queued' ? '待发送' : e.state === 'conflict' ? '需重新提交' : '未被接受'}</strong> {e.title}
            </p>
            <pre>{e.body.narrative}</pre>
            {(e.files ?? []).length > 0 && <OutboxFiles entry={e} account={account} onChanged={onSend} />}
            {e.state === 'queued' &&
              (e.files?.some((f) => f.state === 'failed') ? (
                <p className="hint">有文件未能上传：重试或移除后，这份报送会继续发送。</p>
              ) : (
                <p className="hint">{e.attempts ? `已尝试 ${e.attempts} 次（${e.error ?? ''}），会自动重试。` : '正在发送……'}</p>
              ))}
            {e.state !== 'queued' && (
              <>
                <p className="field-error">{e.state === 'conflict' ? '这项任务在您填写期间已被更新。您的内容已保留，请放回表单核对后重新提交。' : e.error}</p>
                {e.fields?.length ? (
                  <ul>
                    {e.fields.map((f) => (
                      <li key={f.path}>
                        {labelOf(f.path)}：{f.message}
                      </li>
                    ))}
                  </ul>
                ) : null}
                <button type="button" className="button" onClick={() => (takeBack(account, e.key), onTakeBack(e.task))}>
                  放回表单，重新提交
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

const ME_UPDATES = '/api/v1/me/updates';
const progressPath = (town: string) => `/api/v1/towns/${town}/progress`;
/** How many of the most pressing tasks the screen opens on. */
const NOW_SHOWN = 5;

export default function Tasks({ session, town }: ScreenProps) {
  const account = session.account.id;
  const unit = session.account.unit_id;
  // What this browser kept from the last visit: shown at once, then refreshed.
  const [tasks, setTasks] = useState<MyTask[] | null>(() => kept<{ tasks: MyTask[] }>(account, ME_TASKS)?.data.tasks ?? null);
  const [plan, setPlan] = useState<PlanIndex | null>(() => keptPlan(town));
  const [progress, setProgress] = useState<Progress | null>(() => kept<Progress>('public', progressPath(town))?.data ?? null);
  const [mine, setMine] = useState<UpdateView[]>(() => kept<{ updates: UpdateView[] }>(account, ME_UPDATES)?.data.updates ?? []);
  const [failure, setFailure] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [openGroups, setOpenGroups] = useState<Set<string>>(new Set());
  const [queue, setQueue] = useState<OutboxEntry[]>(() => outbox(account));
  const status = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    // Each answer is shown as it arrives: the list does not wait for the indicator values.
    const all = [
      revalidate<{ tasks: MyTask[] }>(account, ME_TASKS).then((k) => setTasks(k.data.tasks)),
      freshPlan(town).then(setPlan),
      revalidate<Progress>('public', progressPath(town)).then((k) => setProgress(k.data)),
      revalidate<{ updates: UpdateView[] }>(account, ME_UPDATES).then((k) => setMine(k.data.updates)),
    ];
    const results = await Promise.allSettled(all);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (!failed) {
      setFailure('');
      report({ keptAt: null });
    } else if (failed.reason instanceof NetworkFailure) {
      // No answer: the kept copy stays on screen and the one sync message says so.
      setFailure(kept(account, ME_TASKS) ? '' : failureText(failed.reason));
      report({ keptAt: kept(account, ME_TASKS)?.at ?? null });
    } else setFailure(failureText(failed.reason));
    // Signing in again gives a new token: read everything again, then send what waits.
  }, [account, town, session.token]);

  const send = useCallback(
    async (force: boolean) => {
      const n = await flush(account, { force });
      if (n > 0) {
        report({ delivered: n });
        await load();
      }
    },
    [account, load],
  );

  useEffect(() => {
    const count = () => {
      const q = outbox(account);
      setQueue(q);
      report({ queued: q.filter((e) => e.state === 'queued').length });
    };
    count();
    load().then(() => {
      dispatchEvent(new Event('console:ready'));
      return send(true);
    });
    const unsub = onQueueChange(count);
    const online = () => void send(true);
    window.addEventListener('online', online);
    const timer = setInterval(() => void send(false), 5_000);
    return () => {
      unsub();
      window.removeEventListener('online', online);
      clearInterval(timer);
      report({ queued: 0, delivered: 0, keptAt: null });
    };
  }, [account, load, send]);

  if (failure && !tasks) return <Notice kind="error">{failure}</Notice>;
  if (!tasks || !plan) return <p>正在读取任务……</p>;

  const today = todayCst();
  const latest = new Map((progress?.values ?? []).map((v) => [v.indicator, v]));
  const refOf = (t: MyTask) => `${town}:${t.id}`;
  const now = needsNow(tasks, today);
  const shown = tasks.filter((t) => matches(t, filters));
  const groups = groupByKeyTask(shown, plan);
  const narrowed = filtering(filters);
  const waiting = queue.length + mine.filter((u) => u.state === 'pending').length;
  const setF = (k: keyof Filters, v: string) => setFilters({ ...filters, [k]: v });

  const card = (t: MyTask, where: 'now' | 'list', note?: string) => {
    const u = urgency(t, t.kind === 'rectification' ? t.due_date : plan.start, today);
    const node = plan.tasks.get(t.id);
    const inds = (node?.indicators ?? []).map((id) => plan.indicators.get(id)).filter(Boolean);
    const part = partOf(plan, t.id, unit);
    const draft = !!drafts(account)[refOf(t)];
    const formOpen = open === `${where}:${t.id}`;
    return (
      <li key={t.id} className="task-card" {...(where === 'list' ? { 'data-task': t.id } : { 'data-now': t.id })}>
        <h3>
          <span className={`urgency ${u.cls}`}>{note ?? u.label}</span>
          {part && <span className={`part part-${part === '牵头' ? 'lead' : 'support'}`}>{part}</span>}
          {t.code} {t.title}
        </h3>
        <dl>
          <dt>完成时限</dt>
          <dd>{t.due_label ? `${t.due_label}（${t.due_date}）` : t.due_date}</dd>
          <dt>当前状态</dt>
          <dd>
            {STATUS_ZH[t.status] ?? t.status}，{t.percent}%
          </dd>
          <dt>最近报送</dt>
          <dd>
            {t.last_update ? `${cstTime(t.last_update.created_at)} ${STATE_ZH[t.last_update.state] ?? t.last_update.state}${t.last_update.reject_reason ? `：${t.last_update.reject_reason}` : ''}` : '还没有报送'}
          </dd>
        </dl>
        {inds.length > 0 && (
          <ul className="task-indicators" aria-label="相关指标">
            {inds.map((i) => {
              const l = latest.get(i!.id);
              return (
                <li key={i!.id}>
                  {i!.name}：{!progress ? '正在读取……' : l ? `${l.value}${i!.unit ?? ''}（截至 ${l.as_of}，来源：${l.source}）` : '暂无审核通过的数值'}
                </li>
              );
            })}
          </ul>
        )}
        {formOpen ? (
          <UpdateForm
            task={t}
            ref_={refOf(t)}
            plan={plan}
            allow={allowanceOf(node, progress)}
            account={account}
            onSubmitted={() => {
              setOpen(null);
              report({ delivered: 0 });
              requestAnimationFrame(() => status.current?.focus());
              void send(true);
            }}
          />
        ) : (
          <button type="button" className="button button-primary" aria-label={`为“${t.title}”填写进展${draft ? '（有未提交的草稿）' : ''}`} onClick={() => setOpen(`${where}:${t.id}`)}>
            填写进展{draft ? '（有未提交的草稿）' : ''}
          </button>
        )}
      </li>
    );
  };

  return (
    <>
      <div ref={status} tabIndex={-1} />
      {failure && <Notice kind="error">{failure}</Notice>}
      <p className="console-jump">
        <a className="button" href="#mine-title">
          我的报送{waiting ? `（${waiting} 份待发送或待审核）` : ''}
        </a>
      </p>
      {now.length > 0 && !narrowed && (
        <section className="console-panel" aria-labelledby="now-title">
          <h2 id="now-title">现在需要处理（{now.length} 项）</h2>
          <p className="hint">被退回的最先，然后是逾期、还没有报送、30 天内到期的，各按完成时限排列。{now.length > NOW_SHOWN ? `这里列出最前面的 ${NOW_SHOWN} 项，全部见下面“需要处理”筛选。` : ''}</p>
          <ul className="console-list">{now.slice(0, NOW_SHOWN).map(({ task, need }) => card(task, 'now', need.label))}</ul>
        </section>
      )}
      <section className="console-panel" aria-labelledby="tasks-title">
        <h2 id="tasks-title">全部任务（{tasks.length} 项）</h2>
        <form className="console-grid task-filters" role="search" aria-label="查找任务" onSubmit={(e) => e.preventDefault()}>
          <Field form="find" path="q" label="搜索任务（编号或标题中的字词）" errors={{}}>
            {(a) => <input {...a} type="search" value={filters.q} onChange={(e) => setF('q', e.target.value)} />}
          </Field>
          <Field form="find" path="status" label="状态" errors={{}}>
            {(a) => (
              <select {...a} value={filters.status} onChange={(e) => setF('status', e.target.value)}>
                <option value="">全部状态</option>
                {Object.entries(STATUS_ZH).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field form="find" path="milestone" label="时间节点" errors={{}}>
            {(a) => (
              <select {...a} value={filters.milestone} onChange={(e) => setF('milestone', e.target.value)}>
                <option value="">全部节点</option>
                {plan.plan.milestones.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </form>
        <p className="hint" aria-live="polite">
          {narrowed ? `找到 ${shown.length} 项。` : '按重点任务分组，点开一组查看其中的任务。'}
          {narrowed && (
            <button type="button" className="button" onClick={() => setFilters(noFilters)}>
              清除筛选
            </button>
          )}
        </p>
        {groups.map((g) => (
          <details
            key={g.key}
            className="task-group"
            data-group={g.key}
            data-tasks={g.tasks.map((t) => t.id).join(' ')}
            open={narrowed || openGroups.has(g.key)}
            onToggle={(e) => {
              const isOpen = (e.currentTarget as HTMLDetailsElement).open;
              if (narrowed || isOpen === openGroups.has(g.key)) return;
              const next = new Set(openGroups);
              if (isOpen) next.add(g.key);
              else next.delete(g.key);
              setOpenGroups(next);
            }}
          >
            <summary>
              {g.code} {g.title}（{g.tasks.length} 项{(() => {
                const n = g.tasks.filter((t) => now.some((x) => x.task.id === t.id)).length;
                return n ? `，${n} 项需要处理` : '';
              })()}）
            </summary>
            {/* A closed group's cards are not rendered: 61 cards cost seconds on a slow phone. */}
            {(narrowed || openGroups.has(g.key)) && <ul className="console-list">{g.tasks.map((t) => card(t, 'list'))}</ul>}
          </details>
        ))}
      </section>
      <section className="console-panel" aria-labelledby="mine-title">
        <h2 id="mine-title" tabIndex={-1}>
          我的报送
        </h2>
        <Outbox entries={queue} account={account} onSend={() => void send(true)} onTakeBack={(task) =>
            void load().then(() => {
              const id = task.split(':')[1]!;
              setOpenGroups((g) => new Set([...g, keyTaskOf(plan, id)]));
              setOpen(`list:${id}`);
            })
          } />
        {queue.some((e) => e.state === 'queued') && (
          <button type="button" className="button" onClick={() => void send(true)}>
            立即重新发送
          </button>
        )}
        <h3>已送达</h3>
        {mine.length === 0 ? (
          <p>还没有送达的报送。</p>
        ) : (
          <ul className="console-list submissions">
            {mine.map((u) => (
              <li key={u.id} data-state={u.state}>
                <p>
                  <strong className="status">{STATE_ZH[u.state]}</strong> {plan.tasks.get(u.task)?.title ?? u.task}
                </p>
                <p>
                  {STATUS_ZH[u.status]}，{u.percent}%；提交于 {cstTime(u.created_at)}
                  {u.reviewed_at ? `；审核于 ${cstTime(u.reviewed_at)}` : ''}
                </p>
                <pre>{u.narrative}</pre>
                {u.measurements.length > 0 && (
                  <ul>
                    {u.measurements.map((m, i) => (
                      <li key={i}>
                        {plan.indicators.get(m.indicator)?.name ?? m.indicator}：{m.value}
                        {plan.indicators.get(m.indicator)?.unit ?? ''}（截至 {m.as_of}，来源：{m.source}）
                      </li>
                    ))}
                  </ul>
                )}
                {u.evidence.length > 0 && (
                  <ul>
                    {u.evidence.map((e, i) => (
                      <li key={i}>
                        佐证：
                        <EvidenceLink evidence={e} />
                      </li>
                    ))}
                  </ul>
                )}
                {u.attachments?.length ? (
                  <Suspense fallback={null}>
                    <AttachmentList town={town} attachments={u.attachments} />
                  </Suspense>
                ) : null}
                {u.state === 'rejected' && <p className="field-error">退回原因：{u.reject_reason}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
