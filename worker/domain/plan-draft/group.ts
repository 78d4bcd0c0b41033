/**
 * The leading group (组长, 副组长, 成员 with posts) and its office from the document's own lines, and the
 * responsible units found in the members' posts and the text, with the other names the plan uses for them.
 */
import type { GroupRole } from '../content.ts';
import type { Outline } from './outline.ts';

/** A drafted unit: its name, other names, kind, and the words it was found in. */
export interface DraftUnit {
  id: string;
  name: string;
  aliases: string[];
  kind: 'department' | 'subdistrict' | 'institution' | 'body';
  supervises: boolean;
  /** Where the name was found: a member's post or a sentence of the plan. */
  found: string;
}
export interface DraftMember {
  id: string;
  name: string;
  role: GroupRole;
  post: string;
  units: string[];
}
export interface DraftGroup {
  name?: string;
  members: DraftMember[];
  office?: { unitName: string; director: string; deputies: string[]; quote: string };
}

const ROLE = /^(组\s*长|副\s*组\s*长|成\s*员|主\s*任|副\s*主\s*任)\s*[：:]\s*/;
const HAN = /^[\u4e00-\u9fa5]$/;

/** Reads the member list: "组  长：田  琨  镇党委委副书记、镇长", continuation lines, or a Word table (姓名 | 职务). */
export function leadingGroup(o: Outline): DraftGroup {
  const g: DraftGroup = { members: [] };
  let role: GroupRole = 'member';
  for (const b of o.blocks) {
    if (b.kind !== 'leading_group') continue;
    if (b.level > 0) {
      g.name = (b.heading ?? '').replace(/(成员)?名单$/, '');
      continue;
    }
    const office = /^领导小组办公室设在(.+?)[，,](.+?)(?:同志)?(?:兼任|任)办公室主任(?:[，,](.+?)(?:同志)?(?:兼任|任)办公室副主任)?/.exec(b.text);
    if (office) {
      g.office = { unitName: office[1]!, director: office[2]!, deputies: office[3] ? office[3].split(/[、，,]/) : [], quote: b.text };
      continue;
    }
    let line = b.cells ? b.cells.join('  ') : b.text;
    const r = ROLE.exec(line);
    if (r) {
      const w = r[1]!.replace(/\s/g, '');
      role = w === '组长' || w === '主任' ? 'leader' : w.startsWith('副') ? 'deputy_leader' : 'member';
      line = line.slice(r[0].length);
    }
    const tokens = line.split(/\s+/).filter(Boolean);
    if (tokens.length < 2) continue;
    let name = tokens[0]!;
    let rest = tokens.slice(1);
    if (HAN.test(name) && HAN.test(tokens[1]!) && tokens.length >= 3) {
      name += tokens[1];
      rest = tokens.slice(2);
    }
    if (!/^[\u4e00-\u9fa5]{2,4}$/.test(name) || /[：:]/.test(name)) continue;
    const post = rest.join(' ');
    if (!/[\u4e00-\u9fa5]/.test(post)) continue;
    g.members.push({ id: `member-${g.members.length + 1}`, name, role, post, units: [] });
  }
  return g;
}

/** Titles after a unit's name in a post (卫计办主任 → 卫计办). */
const TITLE = /(?:常务副主任|副主任|主任|副所长|所长|副站长|站长|副院长|院长|党总支书记|党支部书记|副书记|书记|副局长|局长|负责人|副部长|部长|委员|干事)$/;
/** Posts of the town's leaders, not of a unit. */
const LEADER = /^(?:镇|乡|街道)?(?:党委|人大|政府|政协)?(?:委)*(?:副?书记|副?镇长|副?乡长|主席|副主席|委员|武装部长|纪委书记)$/;
const UNIT_END = /(?:办事处|办公室|服务中心|中心|卫生院|福利院|敬老院|办|所|站|委|局|院|队|室|部|会)$/;
/** Institutions and bodies the text names (镇纪委, 冯卯中心卫生院, 镇报道站), after 镇 or the town's own name. */
const textUnits = (place: string) => new RegExp(`(?<![乡城村全各])(?:镇|${place || '镇'})(?:中心卫生院|卫生院|福利院|纪委|报道站|派出所|司法所|敬老院|养老康复中心)`, 'g');

function kindOfUnit(name: string): DraftUnit['kind'] {
  if (/办事处|社区|管区/.test(name)) return 'subdistrict';
  if (/委$|委员会$/.test(name) && !/村镇建设/.test(name)) return 'body';
  if (/卫生院|福利院|敬老院|养老院|康复中心|站$/.test(name)) return 'institution';
  return 'department';
}

/** Units from the members' posts, then from the text; members get their units; short names become aliases. */
export function units(o: Outline, g: DraftGroup, place = ''): DraftUnit[] {
  const out: DraftUnit[] = [];
  const byName = new Map<string, DraftUnit>();
  const add = (name: string, found: string) => {
    const bare = name.replace(/^镇/, '');
    const existing = byName.get(name) ?? byName.get(bare) ?? byName.get(`镇${bare}`);
    if (existing) return existing;
    const u: DraftUnit = { id: `unit-${out.length + 1}`, name, aliases: [], kind: kindOfUnit(name), supervises: false, found };
    out.push(u);
    byName.set(name, u);
    return u;
  };
  for (const m of g.members) {
    for (const part of m.post.split(/[、，,\s]+/)) {
      if (LEADER.test(part)) continue;
      const name = part.replace(TITLE, '');
      if (name === part || !UNIT_END.test(name) || name.length < 2) continue;
      const u = add(name, `成员职务“${m.post}”`);
      if (!m.units.includes(u.id)) m.units.push(u.id);
    }
  }
  const text = o.blocks.map((b) => b.text).join('\n');
  for (const m of text.matchAll(textUnits(place))) {
    // 镇中心卫生院 beside 冯卯中心卫生院: one unit, the other name an alias
    const own = m[0].startsWith('镇') && place ? out.find((u) => u.name.startsWith(place) && u.name.endsWith(m[0].slice(1))) : undefined;
    if (own) {
      if (!own.aliases.includes(m[0])) own.aliases.push(m[0]);
    } else add(m[0], `正文“${m[0]}”`);
  }
  // short names the plan uses in lists of actors (镇纪委、组织、卫计、民政等单位)
  for (const m of text.matchAll(/((?:[\u4e00-\u9fa5]{2,4}、)+[\u4e00-\u9fa5]{2,4})等(?:单位|部门)/g)) {
    for (const w of m[1]!.split('、').map((x) => x.replace(/^镇/, ''))) {
      const u = out.find((x) => x.name.replace(/^镇/, '').startsWith(w) && x.name.replace(/^镇/, '') !== w);
      if (u && !u.aliases.includes(w)) u.aliases.push(w);
      if (u) u.supervises ||= /督导|督查|检查|考核/.test(text.slice(m.index, m.index + 60));
      const exact = out.find((x) => x.name.replace(/^镇/, '') === w);
      if (exact) exact.supervises ||= /督导|督查|检查|考核/.test(text.slice(m.index, m.index + 60));
    }
  }
  // （以下简称X）
  for (const m of text.matchAll(/([\u4e00-\u9fa5]{2,16})（以下简称“?([\u4e00-\u9fa5]{2,8})”?）/g)) {
    const u = out.find((x) => m[1]!.endsWith(x.name) || x.name === m[2]);
    if (u && m[2] !== u.name && !u.aliases.includes(m[2]!)) u.aliases.push(m[2]!);
  }
  if (g.office && !findUnit(out, g.office.unitName)) add(g.office.unitName, '领导小组办公室');
  return out;
}

/** The unit a name in the text refers to (镇卫计办 → 卫计办), by name, name without 镇, or alias. */
export function findUnit(us: readonly DraftUnit[], name: string): DraftUnit | undefined {
  const bare = name.replace(/^镇/, '');
  return us.find((u) => u.name === name || u.name.replace(/^镇/, '') === bare || u.aliases.includes(name) || u.aliases.includes(bare));
}
