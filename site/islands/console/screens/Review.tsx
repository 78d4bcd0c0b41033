/**
 * Office: the review queue. Each pending update shows what it would change (status and percent
 * from → to, indicator values, evidence, the narrative as plain text); approve sends If-Match with
 * the task's current version, reject needs a reason (RejectInput, the API's schema).
 * Attached files (佐证材料) show as thumbnails (full size on tap), each with a 公开 / 仅内部
 * choice that starts at 仅内部: approving sends the ones marked 公开 (`public_attachments`).
 * Below the queue, recently approved updates with files, whose visibility can still be changed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { RejectInput, type UpdateView } from '../../../../worker/domain/update.ts';
import { api, failureText, newKey } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, Field, Notice, type Errors, EvidenceLink } from '../forms.tsx';
import { cstTime, STATUS_ZH } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';
import { AttachmentPreview, VISIBILITY_ZH, type AttachmentView } from '../evidence-view.tsx';

const attachmentsOf = (u: UpdateView): AttachmentView[] => u.attachments ?? [];

/** Why 仅内部 is the default, said where the choice is made. */
const PRIVACY_NOTE = '照片里可能有老人等人物。默认“仅内部”（只有工作人员能看到）；确认照片可以让公众看到（不暴露个人隐私）再选“公开”。';

/** One file's 公开 / 仅内部 choice. */
function VisibilityChoice({ name, a, value, onChange, disabled }: { name: string; a: AttachmentView; value: AttachmentView['visibility']; onChange: (v: AttachmentView['visibility']) => void; disabled?: boolean }) {
  return (
    <fieldset className="visibility-choice">
      <legend>“{a.caption}”谁能看到</legend>
      {(['internal', 'public'] as const).map((v) => (
        <label key={v}>
          <input type="radio" name={name} value={v} checked={value === v} disabled={disabled} onChange={() => onChange(v)} />
          {VISIBILITY_ZH[v]}
        </label>
      ))}
    </fieldset>
  );
}

/** The attachments of a pending update, each with its choice. */
function PendingFiles({ town, u, chosen, setChosen }: { town: string; u: UpdateView; chosen: Set<string>; setChosen: (s: Set<string>) => void }) {
  const files = attachmentsOf(u);
  if (!files.length) return null;
  return (
    <>
      <h4>佐证材料（{files.length} 个）</h4>
      <p className="hint">{PRIVACY_NOTE}</p>
      <ul className="attachment-list">
        {files.map((a, i) => (
          <li key={a.id} data-attachment={a.id}>
            <AttachmentPreview town={town} a={a} index={i} />
            <p className="attachment-meta">{a.caption}</p>
            <VisibilityChoice
              name={`vis-${a.id}`}
              a={a}
              value={chosen.has(a.id) ? 'public' : 'internal'}
              onChange={(v) => {
                const next = new Set(chosen);
                if (v === 'public') next.add(a.id);
                else next.delete(a.id);
                setChosen(next);
              }}
            />
          </li>
        ))}
      </ul>
    </>
  );
}

interface TownTask {
  id: string;
  title: string;
  status: string;
  percent: number;
  version: number;
}

function Item({ u, town, task, plan, onDone }: { u: UpdateView; town: string; task: TownTask | undefined; plan: PlanIndex; onDone: (msg: string) => void }) {
  const [rejecting, setRejecting] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const form = `rej-${u.id}`;
  const title = task?.title ?? u.task;

  const approve = async () => {
    if (!task) return;
    setBusy(true);
    setFailure('');
    try {
      const files = attachmentsOf(u);
      await api(`/api/v1/updates/${u.id}/approve`, {
        method: 'POST',
        headers: { 'Idempotency-Key': newKey(), 'If-Match': `"${task.version}"` },
        ...(files.length ? { body: { public_attachments: files.filter((a) => chosen.has(a.id)).map((a) => a.id) } } : {}),
      });
      const pub = files.filter((a) => chosen.has(a.id)).length;
      onDone(`已通过：${title}${files.length ? `（佐证材料 ${files.length} 个，其中公开 ${pub} 个）` : ''}`);
    } catch (e) {
      setFailure(failureText(e));
      setBusy(false);
    }
  };
  const reject = async (ev: React.FormEvent) => {
    ev.preventDefault();
    const v = check(RejectInput, { reason });
    if (!v.ok) {
      setErrors(v.errors);
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    setFailure('');
    try {
      await api(`/api/v1/updates/${u.id}/reject`, { method: 'POST', body: v.data, headers: { 'Idempotency-Key': newKey() } });
      onDone(`已退回：${title}`);
    } catch (e) {
      setFailure(failureText(e));
      setBusy(false);
    }
  };

  return (
    <li data-update={u.id}>
      <h3>{title}</h3>
      <p>
        {plan.units.get(u.unit) ?? u.unit}提交于 {cstTime(u.created_at)}
      </p>
      <p className="change">
        状态：{task ? <del>{STATUS_ZH[task.status]} {task.percent}%</del> : null} → <ins>{STATUS_ZH[u.status]} {u.percent}%</ins>
      </p>
      {task && task.version !== u.base_version && <Notice kind="info">提交之后任务已有更新（提交时版本 {u.base_version}，现在版本 {task.version}），请核对。</Notice>}
      <h4>进展说明</h4>
      <pre>{u.narrative}</pre>
      {u.measurements.length > 0 && (
        <>
          <h4>指标值</h4>
          <ul>
            {u.measurements.map((m, i) => (
              <li key={i}>
                {plan.indicators.get(m.indicator)?.name ?? m.indicator}：{m.value}
                {plan.indicators.get(m.indicator)?.unit ?? ''}（截至 {m.as_of}，来源：{m.source}）
              </li>
            ))}
          </ul>
        </>
      )}
      {u.evidence.length > 0 && (
        <>
          <h4>佐证链接</h4>
          <ul>
            {u.evidence.map((e, i) => (
              <li key={i}>
                <EvidenceLink evidence={e} />
              </li>
            ))}
          </ul>
        </>
      )}
      <PendingFiles town={town} u={u} chosen={chosen} setChosen={setChosen} />
      {failure && <Notice kind="error">{failure}</Notice>}
      {!rejecting ? (
        <div className="console-actions">
          <button type="button" className="button button-primary" disabled={busy || !task} onClick={approve}>
            通过
          </button>
          <button type="button" className="button button-danger" disabled={busy} onClick={() => (setRejecting(true), requestAnimationFrame(() => reasonRef.current?.focus()))}>
            退回
          </button>
        </div>
      ) : (
        <form onSubmit={reject} noValidate>
          <Field form={form} path="reason" label="退回原因" errors={errors}>
            {(a) => <textarea {...a} ref={reasonRef} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <div className="console-actions">
            <button type="submit" className="button button-danger" disabled={busy}>
              确认退回
            </button>
            <button type="button" className="button" onClick={() => setRejecting(false)}>
              取消
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

/** Approved updates with files: the office may still publish a file, or take it back to 仅内部. */
function ApprovedFiles({ town, updates, plan, tasks }: { town: string; updates: UpdateView[]; plan: PlanIndex; tasks: Map<string, TownTask> }) {
  const [vis, setVis] = useState<Record<string, AttachmentView['visibility']>>({});
  const [busy, setBusy] = useState('');
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const withFiles = updates.filter((u) => attachmentsOf(u).length);
  if (!withFiles.length) return null;
  const change = async (a: AttachmentView, v: AttachmentView['visibility']) => {
    const was = vis[a.id] ?? a.visibility;
    // Shown chosen at once (a radio that does not move until a 2-second round trip reads as broken); put back if refused.
    setVis((m) => ({ ...m, [a.id]: v }));
    setBusy(a.id);
    setNote(null);
    try {
      await api(`/api/v1/attachments/${a.id}/visibility`, { method: 'POST', body: { visibility: v } });
      setNote({ kind: 'ok', text: `“${a.caption}”现在${v === 'public' ? '公开，公众页面会显示' : '仅内部可见，已从公众页面撤下'}。` });
    } catch (e) {
      setVis((m) => ({ ...m, [a.id]: was }));
      setNote({ kind: 'error', text: failureText(e) });
    }
    setBusy('');
  };
  return (
    <section className="console-panel" aria-labelledby="approved-files-title">
      <h2 id="approved-files-title">已通过进展的佐证材料</h2>
      <p className="hint">{PRIVACY_NOTE}改动后公众页面立即更新。</p>
      {note && <Notice kind={note.kind}>{note.text}</Notice>}
      <ul className="console-list approved-files">
        {withFiles.map((u) => (
          <li key={u.id} data-update={u.id}>
            <h3>{tasks.get(u.task)?.title ?? u.task}</h3>
            <p>
              {plan.units.get(u.unit) ?? u.unit}，审核于 {cstTime(u.reviewed_at)}
            </p>
            <ul className="attachment-list">
              {attachmentsOf(u).map((a, i) => (
                <li key={a.id} data-attachment={a.id}>
                  <AttachmentPreview town={town} a={a} index={i} />
                  <p className="attachment-meta">{a.caption}</p>
                  <VisibilityChoice name={`pub-${a.id}`} a={a} value={vis[a.id] ?? a.visibility} disabled={busy === a.id} onChange={(v) => void change(a, v)} />
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function Review({ session, town }: ScreenProps) {
  const [queue, setQueue] = useState<UpdateView[] | null>(null);
  const [approved, setApproved] = useState<UpdateView[]>([]);
  const [tasks, setTasks] = useState<Map<string, TownTask>>(new Map());
  const [plan, setPlan] = useState<PlanIndex | null>(null);
  const [failure, setFailure] = useState('');
  const [message, setMessage] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    try {
      const [q, t, p, a] = await Promise.all([
        api<{ updates: UpdateView[] }>(`/api/v1/towns/${town}/updates?status=pending`),
        api<{ tasks: TownTask[] }>('/api/v1/me/tasks'),
        loadPlan(town),
        api<{ updates: UpdateView[] }>(`/api/v1/towns/${town}/updates?status=approved&limit=30`),
      ]);
      setQueue(q.updates);
      setApproved(a.updates);
      setTasks(new Map(t.tasks.map((x) => [x.id, x])));
      setPlan(p);
      setFailure('');
    } catch (e) {
      setFailure(failureText(e));
    }
  }, [town, session.token]);
  useEffect(() => void load(), [load]);

  if (!queue || !plan) return failure ? <Notice kind="error">{failure}</Notice> : <p>正在读取待审核的进展……</p>;
  return (
    <>
    <section className="console-panel" aria-labelledby="queue-title">
      {message && <Notice kind="ok">{message}</Notice>}
      {failure && <Notice kind="error">{failure}</Notice>}
      <h2 id="queue-title" tabIndex={-1} ref={heading}>
        待审核（{queue.length} 份）
      </h2>
      {queue.length === 0 ? (
        <p>没有待审核的进展。</p>
      ) : (
        <ul className="console-list review-queue">
          {queue.map((u) => (
            <Item
              key={u.id}
              u={u}
              town={town}
              task={tasks.get(u.task)}
              plan={plan}
              onDone={async (m) => {
                setMessage(m);
                await load();
                heading.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
    </section>
    <ApprovedFiles town={town} updates={approved} plan={plan} tasks={tasks} />
    </>
  );
}
