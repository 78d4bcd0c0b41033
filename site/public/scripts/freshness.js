// Freshness island of the progress pages (plain module, no framework, no inline script).
// The page is complete without it: it only asks the live API whether newer approved data
// exists and, if so, refreshes the headline task counts and says when the data changed.
// (The overdue count needs the supervision rules; it stays as built until the next build.)
const box = document.getElementById('freshness');
const town = box && box.dataset.town;
if (town) {
  fetch(`/api/v1/towns/${encodeURIComponent(town)}/progress`, { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : null))
    .then((live) => {
      if (!live || !live.updated_at) return;
      const built = box.dataset.updatedAt;
      if (built && Date.parse(live.updated_at) <= Date.parse(built)) return;
      // The page counts deliverables (leaf tasks); count the same tasks in the live data.
      const section = document.querySelector('[data-leaves]');
      const leaves = new Set(section ? section.dataset.leaves.split(' ') : []);
      const counts = { total: 0, completed: 0, in_progress: 0, blocked: 0 };
      for (const t of live.tasks || []) {
        if (!leaves.has(t.id)) continue;
        counts.total++;
        if (t.status in counts) counts[t.status]++;
      }
      for (const key of ['total', 'completed', 'in_progress', 'blocked']) {
        const el = document.querySelector(`[data-figure="${key}"]`);
        if (el && typeof counts[key] === 'number') el.textContent = String(counts[key]);
      }
      const en = box.dataset.lang === 'en';
      const t = new Date(Date.parse(live.updated_at) + 8 * 3600e3).toISOString();
      const time = en
        ? `${t.slice(0, 10)} ${t.slice(11, 16)} (UTC+8)`
        : `${Number(t.slice(0, 4))}年${Number(t.slice(5, 7))}月${Number(t.slice(8, 10))}日 ${t.slice(11, 16)}`;
      const note = box.querySelector('.live-note');
      note.textContent = (note.dataset.template || '').replace('{time}', time);
      note.hidden = false;
    })
    .catch(() => {});
}
