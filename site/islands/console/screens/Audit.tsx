/** Office and supervisors: the town's audit log, filtered by person, unit, task and dates. */
import { useEffect, useState } from 'react';
import { api, failureText } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { Field, Notice, UnitOptions } from '../forms.tsx';
import { cstTime } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  unit_id: string | null;
  task_id: string | null;
  entity: string | null;
  entity_id: string | null;
  detail: Record<string, unknown>;
}
const ACTION_ZH: Record<string, string> = {
  'auth.login': '登录',
  'auth.login_failed': '登录失败',
  'auth.throttled': '登录被限制',
  'auth.logout': '退出登录',
  'auth.activate': '激活账号',
  'auth.activation_failed': '激活失败',
  'auth.session_rejected': '无效的登录凭证',
  'auth.denied': '无权操作被拒绝',
  'account.create': '新建账号',
  'update.submit': '提交进展',
  'update.approve': '通过进展',
  'update.reject': '退回进展',
  'inspection.create': '记录督导检查',
  'rectification.create': '下达整改事项',
  'bulletin.draft': '起草通报',
  'bulletin.issue': '印发通报',
  'bulletin.publish': '公开通报',
  'task.create': '新建任务',
  'task.update': '修改任务',
  'task.import': '导入任务',
};

export default function Audit({ session, town }: ScreenProps) {
  const [f, setF] = useState({ actor: '', unit: '', task: '', from: '', to: '' });
  const [applied, setApplied] = useState(f);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [plan, setPlan] = useState<PlanIndex | null>(null);
  const [failure, setFailure] = useState('');
  useEffect(() => {
    const q = new URLSearchParams(Object.entries(applied).filter(([, v]) => v));
    q.set('limit', '200');
    Promise.all([api<{ entries: Entry[] }>(`/api/v1/towns/${town}/audit?${q}`), loadPlan(town)]).then(
      ([r, p]) => (setEntries(r.entries), setPlan(p), setFailure('')),
      (e) => setFailure(failureText(e)),
    );
  }, [town, applied, session.token]);
  const none = {};
  return (
    <>
      <form className="console-panel" onSubmit={(e) => (e.preventDefault(), setApplied(f))}>
        <h2>筛选</h2>
        <div className="console-grid">
          <Field form="audit" path="actor" label="操作人（账号编号）" errors={none}>
            {(a) => <input {...a} value={f.actor} onChange={(e) => setF({ ...f, actor: e.target.value })} />}
          </Field>
          <Field form="audit" path="unit" label="责任单位" errors={none}>
            {(a) => (
              <select {...a} value={f.unit} onChange={(e) => setF({ ...f, unit: e.target.value })}>
                <option value="">全部</option>
                <UnitOptions units={plan?.plan.units} />
              </select>
            )}
          </Field>
          <Field form="audit" path="task" label="任务编号" errors={none}>
            {(a) => <input {...a} value={f.task} onChange={(e) => setF({ ...f, task: e.target.value })} />}
          </Field>
          <Field form="audit" path="from" label="开始日期" errors={none}>
            {(a) => <input {...a} type="date" value={f.from} onChange={(e) => setF({ ...f, from: e.target.value })} />}
          </Field>
          <Field form="audit" path="to" label="结束日期（不含）" errors={none}>
            {(a) => <input {...a} type="date" value={f.to} onChange={(e) => setF({ ...f, to: e.target.value })} />}
          </Field>
        </div>
        <button type="submit" className="button button-primary">
          查看
        </button>
      </form>
      {failure && <Notice kind="error">{failure}</Notice>}
      <section className="console-panel" aria-labelledby="audit-title" aria-live="polite">
        <h2 id="audit-title">操作记录{entries ? `（${entries.length} 条）` : ''}</h2>
        {!entries ? (
          <p>正在读取……</p>
        ) : (
          <ul className="console-list audit-entries">
            {entries.map((e) => (
              <li key={e.id}>
                <strong>{cstTime(e.at)}</strong> {ACTION_ZH[e.action] ?? e.action}
                <br />
                操作人 {e.actor}
                {e.unit_id ? `；单位 ${plan?.units.get(e.unit_id) ?? e.unit_id}` : ''}
                {e.task_id ? `；任务 ${plan?.tasks.get(e.task_id)?.title ?? e.task_id}` : ''}
                {e.entity ? `；对象 ${e.entity}${e.entity_id ? ` ${e.entity_id}` : ''}` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
