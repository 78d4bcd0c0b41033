/**
 * One vocabulary (docs/public-progress.md): the notice above a town's statuses before any report
 * names the statuses the page then shows — 未报告 for tasks, 暂无数据 for targets — and never
 * 未开始, which is what a unit reports, not what nobody reported.
 */
import { describe, expect, it } from 'vitest';
import { zh } from '../../site/i18n/zh.ts';
import { TARGET_STATUS_WORDS, TASK_STATE_WORDS } from '../../worker/domain/status-words.ts';

describe('overview.progress_notice', () => {
  it('quotes only the words the statuses below it read, before any report', () => {
    const quoted = [...zh.overview.progress_notice.matchAll(/“([^”]+)”/g)].map((m) => m[1]);
    expect(quoted.sort()).toEqual([TASK_STATE_WORDS.zh.not_reported, TARGET_STATUS_WORDS.zh.no_data].sort());
    expect(zh.overview.progress_notice).not.toContain(TASK_STATE_WORDS.zh.not_started);
  });
});
