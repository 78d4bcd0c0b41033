/**
 * Office: the task table (任务分解表). Add a task, edit one (title, outline number, units and their
 * roles, deadline, responsible member, weight), decompose a task into sub-tasks; import and export
 * the table as XLSX/CSV. Forms are validated with the API's schemas (CreateTaskInput,
 * PatchTaskInput); an edit sends If-Match with the version shown, so nobody's change is lost.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CreateTaskInput, KIND_ZH, PatchTaskInput, type TaskView } from '../../../../worker/domain/tasks.ts';
import { api, ApiFailure, failureText, newKey } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors } from '../forms.tsx';
import { STATUS_ZH } from '../labels.ts';
import { TaskImport } from './TaskImport.tsx';

interface Table {
  tasks: TaskView[];
  units: { id: string; name: string }[];
  members: { id: string; name: string; post: string }[];
  milestones: { id: string; label: string; due: string }[];
}

interface FormState {
  code: string;
  title: string;
  kind: string;
  units: { unit: string; role: 'lead' | 'support' }[];
  lead_member: string;
  due: string;
  due_on: string;
  weight: string;
  evidence_required: boolean;
}

const fromTask = (t: TaskView): FormState => ({
  code: t.code,
  title: t.title,
  kind: t.kind,
  units: t.units.map((u) => ({ unit: u.unit, role: u.role })),
  lead_member: t.lead_member ?? '',
  due: t.due ?? '',
  due_on: t.kind === 'rectification' ? (t.due_on ?? '') : '',
  weight: String(t.weight),
  evidence_required: t.evidence_required,
});

const LABELS: Record<string, string> = { code: '编号', title: '任务内容', kind: '类别', units: '责任单位', lead_member: '责任领导', due: '完成时限', due_on: '整改时限', weight: '权重', evidence_required: '须附佐证', parent: '上级任务', '(body)': '修改' };
const label = (p: string) => {
  const [h, i, leaf] = p.split('.');
  if (h === 'units' && i !== undefined) return `责任单位 第${Number(i) + 1}个${leaf === 'role' ? '的角色' : ''}`;
  return LABELS[h!] ?? p;
};

/** Create (parent given or top level) or edit (task given). */
function TaskForm({ table, town, task, parent, onDone, onCancel }: { table: Table; town: string; task?: TaskView; parent?: TaskView | null; onDone: (msg: string) => void; onCancel: () => void }) {
  const id = task ? `edit-${task.id}` : `new-${parent?.id ?? 'top'}`;
  const rect = task?.kind === 'rectification';
  const [f, setF] = useState<FormState>(() =>
    task ? fromTask(task) : { code: parent ? `${parent.code}.` : '', title: '', kind: parent ? 'deliverable' : 'key_task', units: parent ? parent.units.map((u) => ({ unit: u.unit, role: u.role })) : [{ unit: '', role: 'lead' }], lead_member: parent?.lead_member ?? '', due: parent?.due ?? '', due_on: '', weight: '1', evidence_required: false },
  );
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const summary = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const fail = (e: unknown) => {
    if (e instanceof ApiFailure && e.fields.length && e.status !== 412) {
      setErrors(toErrors(e.fields));
      requestAnimationFrame(() => summary.current?.focus());
    } else setFailure(e instanceof ApiFailure && e.status === 412 ? '这项任务刚被别人修改过。请取消后查看最新内容，再重新修改。' : failureText(e));
  };

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    const weight = f.weight.trim() === '' ? undefined : Number(f.weight);
    const common = { code: f.code, title: f.title, units: f.units, lead_member: f.lead_member || null, weight, evidence_required: f.evidence_required };
    if (task) {
      const before = fromTask(task);
      const patch: Record<string, unknown> = {};
      if (f.code !== before.code) patch.code = f.code;
      if (f.title !== before.title) patch.title = f.title;
      if (JSON.stringify(f.units) !== JSON.stringify(before.units)) patch.units = f.units;
      if (f.lead_member !== before.lead_member) patch.lead_member = f.lead_member || null;
      if (f.weight !== before.weight) patch.weight = weight;
      if (f.evidence_required !== before.evidence_required) patch.evidence_required = f.evidence_required;
      if (rect) {
        if (f.due_on !== before.due_on) patch.due_on = f.due_on;
      } else {
        if (f.due !== before.due) patch.due = f.due;
        if (f.kind !== before.kind) patch.kind = f.kind;
      }
      const v = check(PatchTaskInput, patch);
      if (!v.ok) {
        setErrors(v.errors);
        requestAnimationFrame(() => summary.current?.focus());
        return;
      }
      setErrors({});
      setBusy(true);
      try {
        await api(`/api/v1/tasks/${encodeURIComponent(task.ref)}`, { method: 'PATCH', body: v.data, headers: { 'If-Match': `"${task.version}"` } });
        onDone(`已保存：${f.code} ${f.title}`);
      } catch (e) {
        fail(e);
        setBusy(false);
      }
      return;
    }
    const v = check(CreateTaskInput, { ...common, parent: parent?.id ?? null, kind: f.kind, due: f.due });
    if (!v.ok) {
      setErrors(v.errors);
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await api(`/api/v1/towns/${town}/tasks`, { method: 'POST', body: v.data, headers: { 'Idempotency-Key': key } });
      onDone(parent ? `已为“${parent.title}”添加子任务：${f.code} ${f.title}` : `已新建任务：${f.code} ${f.title}`);
    } catch (e) {
      fail(e);
      setBusy(false);
    }
  };

  const setUnit = (i: number, k: 'unit' | 'role', v: string) => setF({ ...f, units: f.units.map((u, j) => (j === i ? { ...u, [k]: v } : u)) });
  return (
    <form className="task-form" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{task ? `修改任务 ${task.code}` : parent ? `为“${parent.code} ${parent.title}”添加子任务` : '新建任务'}</h3>
      {failure && <Notice kind="error">{failure}</Notice>}
      <ErrorSummary form={id} errors={errors} labels={label} summaryRef={summary} />
      <Field form={id} path="code" label="编号（如 一.7）" errors={errors}>
        {(a) => <input {...a} ref={first} value={f.code} onChange={(e) => setF({ ...f, code: e.target.value })} />}
      </Field>
      <Field form={id} path="title" label="任务内容" errors={errors}>
        {(a) => <textarea {...a} value={f.title} onChange={(e) => setF({ ...f, title: e.target.value })} />}
      </Field>
      {!rect && (
        <Field form={id} path="kind" label="类别" errors={errors}>
          {(a) => (
            <select {...a} value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value })}>
              {(['key_task', 'guarantee', 'deliverable'] as const).map((k) => (
                <option key={k} value={k}>
                  {KIND_ZH[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <fieldset>
        <legend>责任单位</legend>
        {errors.units && <p className="field-error">{errors.units}</p>}
        {f.units.map((u, i) => (
          <div key={i} className="console-grid">
            <Field form={id} path={`units.${i}.unit`} label={`第${i + 1}个 单位`} errors={errors}>
              {(a) => (
                <select {...a} value={u.unit} onChange={(e) => setUnit(i, 'unit', e.target.value)}>
                  <option value="">请选择</option>
                  {table.units.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field form={id} path={`units.${i}.role`} label="角色" errors={errors}>
              {(a) => (
                <select {...a} value={u.role} onChange={(e) => setUnit(i, 'role', e.target.value)}>
                  <option value="lead">牵头</option>
                  <option value="support">配合</option>
                </select>
              )}
            </Field>
            <p>
              <button type="button" className="button" onClick={() => setF({ ...f, units: f.units.filter((_, j) => j !== i) })}>
                移除第{i + 1}个单位
              </button>
            </p>
          </div>
        ))}
        <button type="button" className="button" onClick={() => setF({ ...f, units: [...f.units, { unit: '', role: 'support' }] })}>
          添加单位
        </button>
      </fieldset>
      {rect ? (
        <Field form={id} path="due_on" label="整改时限" errors={errors}>
          {(a) => <input {...a} type="date" value={f.due_on} onChange={(e) => setF({ ...f, due_on: e.target.value })} />}
        </Field>
      ) : (
        <Field form={id} path="due" label="完成时限" errors={errors}>
          {(a) => (
            <select {...a} value={f.due} onChange={(e) => setF({ ...f, due: e.target.value })}>
              <option value="">请选择</option>
              {table.milestones.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}（{m.due}）
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field form={id} path="lead_member" label="责任领导（可不选）" errors={errors}>
        {(a) => (
          <select {...a} value={f.lead_member} onChange={(e) => setF({ ...f, lead_member: e.target.value })}>
            <option value="">（不指定）</option>
            {table.members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}（{m.post}）
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field form={id} path="weight" label="权重（在上级任务中所占比重）" errors={errors}>
        {(a) => <input {...a} inputMode="decimal" value={f.weight} onChange={(e) => setF({ ...f, weight: e.target.value })} />}
      </Field>
      <Field form={id} path="evidence_required" label="须附佐证" hint="选“是”：报“已完成”时必须附照片或文件（佐证材料）。" errors={errors}>
        {(a) => (
          <select {...a} value={f.evidence_required ? 'yes' : 'no'} onChange={(e) => setF({ ...f, evidence_required: e.target.value === 'yes' })}>
            <option value="no">否</option>
            <option value="yes">是</option>
          </select>
        )}
      </Field>
      <div className="console-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {task ? '保存修改' : parent ? '保存子任务' : '保存新任务'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          取消
        </button>
      </div>
    </form>
  );
}

export default function Manage({ session, town }: ScreenProps) {
  const [table, setTable] = useState<Table | null>(null);
  const [failure, setFailure] = useState('');
  const [message, setMessage] = useState('');
  const [editing, setEditing] = useState<{ mode: 'edit' | 'child'; id: string } | { mode: 'new' } | null>(null);
  const [filter, setFilter] = useState('');
  const top = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      setTable(await api<Table>(`/api/v1/towns/${town}/tasks`));
      setFailure('');
    } catch (e) {
      setFailure(failureText(e));
    }
  }, [town, session.token]);
  useEffect(() => void load(), [load]);

  const done = async (msg: string) => {
    setEditing(null);
    setMessage(msg);
    await load();
    requestAnimationFrame(() => top.current?.focus());
  };

  if (!table) return failure ? <Notice kind="error">{failure}</Notice> : <p>正在读取任务分解表……</p>;
  const q = filter.trim();
  const shown = table.tasks.filter((t) => !q || t.code.includes(q) || t.title.includes(q) || t.units.some((u) => u.name.includes(q)));
  const byId = new Map(table.tasks.map((t) => [t.id, t]));
  return (
    <>
      <div ref={top} tabIndex={-1}>
        {message && <Notice kind="ok">{message}</Notice>}
      </div>
      {failure && <Notice kind="error">{failure}</Notice>}
      <TaskImport town={town} onImported={(m) => void done(m)} />
      <section className="console-panel" aria-labelledby="table-title">
        <h2 id="table-title">任务分解表（{table.tasks.length} 项）</h2>
        {editing?.mode === 'new' ? (
          <TaskForm table={table} town={town} parent={null} onDone={done} onCancel={() => setEditing(null)} />
        ) : (
          <button type="button" className="button button-primary" onClick={() => setEditing({ mode: 'new' })}>
            新建任务
          </button>
        )}
        <div className="field">
          <label htmlFor="task-filter">查找任务（编号、内容或单位）</label>
          <input id="task-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        <ul className="console-list task-table">
          {shown.map((t) => (
            <li key={t.id} data-task={t.id}>
              <h3>
                {t.code} {t.title}
              </h3>
              <dl>
                <dt>类别</dt>
                <dd>
                  {KIND_ZH[t.kind]}
                  {t.parent ? `（属于 ${byId.get(t.parent)?.code ?? t.parent}）` : ''}
                </dd>
                <dt>责任单位</dt>
                <dd>{t.units.map((u) => `${u.name}${u.role === 'lead' ? '（牵头）' : '（配合）'}`).join('、')}</dd>
                <dt>完成时限</dt>
                <dd>{t.due_label ? `${t.due_label}（${t.due_on}）` : (t.due_on ?? '—')}</dd>
                {t.lead_member_name && (
                  <>
                    <dt>责任领导</dt>
                    <dd>{t.lead_member_name}</dd>
                  </>
                )}
                <dt>进度</dt>
                <dd>
                  {STATUS_ZH[t.status]} {t.percent}%
                </dd>
                {t.evidence_required && (
                  <>
                    <dt>须附佐证</dt>
                    <dd>是（报“已完成”时须附照片或文件）</dd>
                  </>
                )}
              </dl>
              {editing && editing.mode !== 'new' && editing.id === t.id ? (
                <TaskForm table={table} town={town} task={editing.mode === 'edit' ? t : undefined} parent={editing.mode === 'child' ? t : undefined} onDone={done} onCancel={() => setEditing(null)} />
              ) : (
                <div className="console-actions">
                  <button type="button" className="button" aria-label={`修改 ${t.code} ${t.title}`} onClick={() => setEditing({ mode: 'edit', id: t.id })}>
                    修改
                  </button>
                  {t.kind !== 'rectification' && (
                    <button type="button" className="button" aria-label={`为 ${t.code} 添加子任务`} onClick={() => setEditing({ mode: 'child', id: t.id })}>
                      添加子任务
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
