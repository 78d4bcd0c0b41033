/** The two dictionaries of the site, by language. */
import { en } from './en.ts';
import { zh, type Dict } from './zh.ts';

export type Lang = 'zh' | 'en';
export const dicts: Record<Lang, Dict> = { zh, en };
/** The value of the lang attribute for a language. */
export const htmlLang = (lang: Lang): string => (lang === 'zh' ? 'zh-CN' : 'en');
/** A site path in a language: /towns/x/ → /en/towns/x/. */
export const localPath = (lang: Lang, path: string): string => (lang === 'zh' ? path : `/en${path}`);
export type { Dict };
