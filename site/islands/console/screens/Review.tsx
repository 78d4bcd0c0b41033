/**
 * Office: the review queue. Each pending update shows what it would change (status and percent
 * from → to, indicator values, evidence, the narrative as plain text); approve sends If-Match with
 * the task's current version, reject needs a reason (RejectInput, the API's schema).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { RejectInput, type UpdateView } from '../../../../worker/domain/update.ts';
import { api, failureText, newKey } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, Field, Notice, type Errors, EvidenceLink } from '../forms.tsx';
import { cstTime, STATUS_ZH } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';

interface TownTask {
  id: string;
  title: string;
  status: string;
  percent: number;
  version: number;
}

function Item({ u, task, plan, onDone }: { u: UpdateView; task: TownTask | undefined; plan: PlanIndex; onDone: (msg: string) => void }) {
  const [rejecting, setRejecting] = useState(false);
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
      await api(`/api/v1/updates/${u.id}/approve`, { method: 'POST', headers: { 'Idempotency-Key': newKey(), 'If-Match': `"${task.version}"` } });
      onDone(`已通过：${title}`);
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

export default function Review({ session, town }: ScreenProps) {
  const [queue, setQueue] = useState<UpdateView[] | null>(null);
  const [tasks, setTasks] = useState<Map<string, TownTask>>(new Map());
  const [plan, setPlan] = useState<PlanIndex | null>(null);
  const [failure, setFailure] = useState('');
  const [message, setMessage] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    try {
      const [q, t, p] = await Promise.all([
        api<{ updates: UpdateView[] }>(`/api/v1/towns/${town}/updates?status=pending`),
        api<{ tasks: TownTask[] }>('/api/v1/me/tasks'),
        loadPlan(town),
      ]);
      setQueue(q.updates);
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
  );
}
