/**
 * Every Chinese label the site shows for a stable English key of the content model.
 * Chinese text that is data (names, quotes, figures) comes from content/, not from here.
 */

/** A small count in Chinese numerals (2 → 两, as in 两个); larger counts in digits. */
function countZh(n: number): string {
  return n === 2 ? '两' : n >= 1 && n <= 10 ? '一二三四五六七八九十'[n - 1]! : String(n);
}

export const zh = {
  site: {
    name: '示范镇创建进度',
    description: '公开各镇医养结合示范镇创建工作方案：目标、任务、责任单位和领导小组。',
    skip: '跳到正文',
    nav_label: '网站导航',
    nav_home: '首页',
    nav_compare: '各地数据对照',
    nav_search: '搜索',
    lang_switch: 'English',
    lang_switch_href: '/en/',
    prefs_label: '阅读设置',
    prefs_text_large: '大字',
    prefs_text_normal: '标准字号',
    prefs_contrast_high: '高对比度',
    prefs_contrast_normal: '标准配色',
    breadcrumb_label: '当前位置',
    footer:
      '本站内容摘自各镇人民政府印发的工作方案和各地政府公开的答复文件，数字照原文抄录。进度数字来自各责任单位报告、经领导小组办公室审核的数据。',
    open_data: '开放数据',
  },

  /** Pages of a town, in navigation order. */
  town_pages: {
    overview: '概况和目标',
    tasks: '任务分解',
    group: '领导小组',
    plan: '方案全文',
    progress: '创建进度',
    regions: '同地区各镇',
    region_link: (name: string) => `${name}各镇`,
    nav_label: '本镇页面',
  },

  /** Leading group roles (Member.role). */
  role: {
    leader: '组长',
    deputy_leader: '副组长',
    member: '成员',
  },

  /** Office roles in the leading group office. */
  office_role: {
    director: '办公室主任',
    deputy_director: '办公室副主任',
  },

  /** Task progress status (TaskStatus). */
  status: {
    not_started: '未开始',
    in_progress: '进行中',
    completed: '已完成',
    blocked: '受阻',
  },

  /** Target comparator (Comparator): the word placed after a number. */
  comparator: {
    gte: '以上',
    gt: '超过',
    lte: '以下',
    lt: '低于',
    eq: '达到',
    approx: '左右',
  },

  /** Figure qualifier (Qualifier). */
  qualifier: {
    exact: '准确数',
    approx: '约数（约/左右）',
    over: '以上/余',
    at_least: '不少于',
    under: '不超过',
  },

  /** Unit kinds (Unit.kind). */
  unit_kind: {
    department: '镇直部门',
    subdistrict: '办事处',
    institution: '站所和机构',
    body: '委员会',
  },

  /** Task kinds (TaskDef.kind). */
  task_kind: {
    key_task: '重点任务',
    guarantee: '组织保障',
    deliverable: '具体工作',
  },

  /** A unit's part in a task (TaskUnit.role). */
  task_unit_role: {
    lead: '牵头',
    support: '配合',
  },

  /** Whether a fact is stated by the plan or inferred by the editors (Basis). */
  basis: {
    stated: '方案写明',
    inferred: '编辑推定',
  },

  /** How the editors know a fact the source may not state (FactBasis); the site marks all but stated. */
  fact_basis: {
    stated: '原文写明',
    external: '编者据其他资料补充',
    inferred: '编者推定',
  },

  /** A jurisdiction figure whose source gives no time. */
  as_of_unstated: '原文未写时点',

  /** Banner on every page of a town whose data is demonstration only (TownFile.demo). */
  demo_banner: '演示数据：本镇及其工作方案是为演示本站功能而编写的，不是真实乡镇的信息。',

  /** Indicator kinds (IndicatorDef.kind). */
  indicator_kind: {
    numeric: '数量目标',
    qualitative: '工作目标',
  },

  /** Jurisdiction levels (Jurisdiction.level). */
  level: {
    prefecture_city: '地级市',
    county_city: '县级市',
    district: '市辖区',
  },

  /** Plan section kinds (SectionKind). */
  section_kind: {
    preamble: '前言',
    background: '现实基础',
    guiding_principles: '总体要求',
    principles: '基本原则',
    goals: '发展目标',
    key_tasks: '重点任务',
    guarantees: '组织保障',
    leading_group: '领导小组名单',
  },


  home: {
    title: '示范镇创建进度',
    intro:
      '一些乡镇正在创建“医养结合示范镇”，就是让看病和养老连在一起，让老年人在家门口就能得到医疗、护理和养老服务。本站把各镇印发的工作方案公开出来：要达到什么目标、每项任务由哪个单位负责、什么时候完成。各单位开始报告进展后，本站会同时公布进度。',
    towns_heading: '各镇的创建方案',
    town_plan: '工作方案',
    town_place: '所在地',
    compare_heading: '其他地方的数据',
    compare_intro: '下列地方的政府在公开答复中报告过医养结合方面的数字，可以拿来和各镇的目标对照看。这些数字不是哪个镇的进度。',
    compare_link: '查看各地数据对照',
    filter_heading: '查找乡镇',
    filter_county: '所在县（市、区）',
    filter_county_all: '全部',
    filter_name: '镇名',
    filter_submit: '查找',
    filter_clear: '看全部乡镇',
    place_unknown: '未写所在县（市、区）',
    count: (total: number) => `共${total}个镇`,
    count_filtered: (total: number) => `找到${total}个镇`,
    none_found: '没有找到符合条件的乡镇。',
    page_of: (page: number, pages: number) => `第${page}页，共${pages}页`,
    page_prev: '上一页',
    page_next: '下一页',
    pages_label: '翻页',
  },

  overview: {
    profile_heading: '基本情况',
    /** The plan's part the figures come from, by its heading in the town's plan (null: none marked). */
    profile_source: (part: string | null) => (part ? `以下数字摘自工作方案“${part}”部分。` : '以下数字摘自工作方案。'),
    projects_heading: '已经开展的项目',
    project_status: '项目状态',
    project_status_unknown: '方案未写明',
    milestones_heading: (n: number) => `${countZh(n)}个时间节点的目标`,
    progress_notice:
      '进度从各责任单位报告开始记录。目前还没有单位报告，所以下面的任务都是“未报告”，目标都是“暂无数据”。这不表示工作没有做，只表示本站还没有收到报告。',
    progress_reported: '下面的状态按各单位报告、经领导小组办公室审核通过的进展判断。',
    progress_link: '完整的进度、数值和日期见“创建进度”页',
    due: '截止日期',
    numeric_targets: '数量目标',
    qualitative_targets: '工作目标',
    no_targets: '方案没有为这个时间节点写具体目标。',
    status: '状态',
    target_label: '目标',
    indicator_label: '指标',
    quote_summary: '方案原文',
    tasks_due: (n: number) => `这个时间节点要完成的任务有 ${n} 项，`,
    tasks_link: '见任务分解',
    of_denominator: (den: string, display: string) => `${den}的${display}`,
  },

  tasks: {
    /** parts: the headings of the plan's parts the tasks come from, in the town's own words. */
    intro: (parts: readonly string[]) =>
      `下面是${parts.length ? `工作方案${parts.map((p) => `“${p}”`).join('和')}` : '工作方案'}分解出的各项工作，写明牵头单位、配合单位、分管领导和完成时限。点“方案原文”可以看方案里的原话。`,
    lead_units: '牵头单位',
    support_units: '配合单位',
    lead_member: '分管领导',
    due: '完成时限',
    status: '进度',
    indicators: '对应目标',
    none: '无',
    inferred_units_note: '责任单位由编辑根据领导小组分工推定，以镇政府确认为准。',
    inferred_due_note: '方案没有写明完成时限，时限也由编辑推定。',
    contents: '本页目录',
    inferred_count: (total: number, inferred: number) =>
      `共 ${total} 项工作，其中 ${inferred} 项的责任单位是编辑根据领导小组分工推定的，以镇政府确认为准，这些工作下面都有“注”。`,
    quote_summary: '方案原文',
    deliverables: '具体工作',
  },

  group: {
    intro_office: '领导小组办公室',
    members_heading: '小组成员',
    members_caption: (name: string) => `${name}成员名单（按方案所列顺序）`,
    col_role: '小组职务',
    col_name: '姓名',
    col_post: '本职职务',
    col_units: '所在单位',
    office_heading: '领导小组办公室',
    office_seat: '设在',
    office_director: '主任',
    office_deputies: '副主任',
    quote_summary: '方案原文',
    units_heading: '责任单位',
    units_intro: '方案和成员名单里提到的单位。标有“参与督导”的单位是方案写明参加督导检查的单位。',
    supervises: '参与督导',
    head: '领导小组成员',
    no_head: '领导小组名单中没有这个单位的人员',
  },

  plan: {
    doc_number: '文号',
    title: '标题',
    issuer: '发文单位',
    issued_on: '印发日期',
    issued_on_unknown: '方案没有写明',
    toc_heading: '目录',
    text_heading: '正文',
  },

  compare: {
    title: '各地数据对照',
    notice_heading: '请注意',
    notice:
      '本页的数字是其他地方政府在公开答复文件中自己报告的，只供对照参考，不是哪个镇的创建进度，本站也没有核实。各地统计口径可能不同，请看每个数字的原文。',
    by_indicator_heading: '按指标对照',
    by_indicator_intro: '下面每张表列出各地报告的同一类数字。表后是本站所列各镇为这项指标定的目标（是目标，不是实际完成数）。',
    col_place: '地区',
    col_value: '数值',
    col_as_of: '数据时间',
    col_source: '来源',
    col_label: '原文说法',
    col_quote: '原文',
    definition: '口径',
    town_targets: (town: string) => `${town}的目标`,
    no_town_target: '本站所列各镇没有为这项指标定数量目标。',
    town_latest: (town: string) => `${town}报告的最新值（经领导小组办公室审核）`,
    town_latest_link: '见进度页（随每次审核更新）',
    more_towns: (total: number, shown: number) => `共有${total}个镇为这项指标定了目标，上面列出${shown}个；其他镇的目标见各镇的概况页。`,
    by_place_heading: '各地报告的全部数字',
    report_doc_number: '文号',
    report_issuer: '答复单位',
    report_date: '日期',
    /** Before a figure's scope_note: how its scope differs from the indicator it is shown under. */
    scope_note: '口径不同：',
    report_date_unknown: '原文没有日期',
    report_addressee: '答复对象',
    report_note: '编者说明',
    report_figures: '报告的数字',
    quote_summary: '看原文',
  },

  /** Indicator status at a milestone (worker/domain/supervision: met, missed, unreported, on_track, behind, no_data). */
  indicator_status: {
    met: '已达成',
    missed: '未达成',
    unreported: '到期未报告',
    on_track: '进度正常',
    behind: '进度落后',
    no_data: '暂无数据',
  },

  progress: {
    title: (town: string) => `${town}创建进度`,
    description: (town: string) => `${town}创建医养结合示范镇的进度：目标完成情况、任务进展、督导通报`,
    intro: '本页数字来自各责任单位报告、经领导小组办公室审核通过的进展。未审核的报告不在本页；没有报告的任务记为“未报告”，不当作未完成。',
    no_snapshot: '暂无已审核的进度。本页目前只有工作方案里的目标和任务。',
    updated_at: '数据更新时间',
    generated_at: '本页生成时间',
    never_updated: '还没有审核通过的进展',
    live_updated: (time: string) => `数据已更新：${time}。下面“主要数字”中的任务数已是最新的，页面其余内容以本页生成时间为准。`,
    headline_heading: '主要数字',
    tasks_total: '全部任务',
    completed: '已完成',
    in_progress: '进行中',
    overdue: '逾期未完成',
    headline_note: '“逾期未完成”只计报告过、按最近一次审核通过的报告仍未完成而期限已过的任务；未报告的任务不计入。',
    newer_value: (value: string, day: string) => `之后的最新值：${value}（${day}）`,
    by_state_heading: '具体任务按状态',
    by_state_intro: '每项具体任务按最近一次审核通过的报告归类。点开可以看到任务名单，点任务名看它的进展。',
    count_items: (n: number) => `${n}项`,
    inferred_due_note: '标“推定”的期限是方案没有写明、由编辑按时间节点推定的，以镇政府确认为准。',
    blocked: '受阻',
    not_started: '未开始',
    items: '项',
    met_of: (met: number, total: number) => `已达成 ${met} 项，共 ${total} 项`,
    milestone_goals: (label: string) => `${label}目标`,
    cards_heading: '各时间节点目标完成情况',
    cards_intro: '每项目标按审核通过、日期在时间节点当天或之前的数值判断“已达成”或“未达成”；只有节点之后的数值的，达到目标记为“逾期达成”，没达到记为“尚未达成”；没有数值的记为“暂无数据”。定性目标看实现它的任务：全部报告完成才算“已达成”。点目标名称可以看走势图和每一个数值的来源。',
    milestone_heading: (label: string) => `到${label}`,
    col_target: '目标',
    col_target_value: '目标值',
    col_latest: '最新值',
    col_date: '日期',
    col_source: '来源',
    col_status: '状态',
    no_value: '暂无',
    qualitative_basis: (done: number, total: number) => `相关任务已完成 ${done} 项，共 ${total} 项`,
    charts_heading: '指标走势',
    charts_intro: '每张图画出审核通过的数值（实线和圆点）和目标（方块；有起点数值时画出从起点到目标的直线）。竖线是时间节点。图下的表格列出同样的数字。',
    chart_caption: (name: string) => `“${name}”的数值和目标`,
    chart_no_values: (name: string) => `“${name}”还没有审核通过的数值。`,
    chart_col_date: '日期',
    chart_col_kind: '类别',
    chart_col_value: '数值',
    chart_value: '报告数值',
    chart_target: '目标',
    chart_baseline: '起点',
    chart_table_summary: '查看图中数字',
    overdue_trend_heading: '逾期任务数变化',
    overdue_trend_caption: '每天统计的逾期未完成任务数',
    overdue_trend_none: '还没有逐日统计的逾期任务数。',
    overdue_col_count: '逾期任务数',
    tasks_heading: '任务进展',
    tasks_intro: (url: string) => `每项任务的状态、完成比例、牵头单位和最新一次审核通过的进展。任务的完整说明见“任务分解”页（${url}）。`,
    percent: '完成比例',
    lead_unit: '牵头单位',
    due: '完成时限',
    latest_update: '最新进展',
    no_update: '还没有审核通过的进展',
    overdue_tag: '逾期',
    timeline_heading: '进展记录',
    timeline_intro: '审核通过的进展，最新的在前。',
    timeline_more: (shown: number, total: number) => `这里列出最近 ${shown} 条，共 ${total} 条；全部进展见`,
    timeline_empty: '还没有审核通过的进展。',
    approved_on: '审核通过',
    reported_by: '报告单位',
    bulletins_heading: '督导通报',
    bulletins_empty: '尚无公开通报。',
    bulletin_period: '通报期间',
    bulletin_issued: '印发日期',
    downloads_heading: '下载数据',
    downloads_intro: '本镇的目标、任务和审核通过的进展，可以下载后用电子表格打开。',
    download_targets_csv: '目标（CSV）',
    download_tasks_csv: '任务和进度（CSV）',
    download_updates_csv: '进展记录（CSV）',
    download_json: '全部数据（JSON）',
    feed: '订阅更新（Atom）',
    feed_title: (town: string) => `${town}创建进度：进展和通报`,
  },

  /** Evidence (佐证材料) with approved updates: the thumbnails and each file's own page. */
  evidence: {
    heading: '佐证材料',
    photo_link: (caption: string) => `查看大图：${caption}`,
    pdf: (size: string) => `PDF 文件，${size}`,
    page_title: (caption: string) => `佐证材料：${caption}`,
    page_description: (town: string) => `${town}审核通过的进展所附的佐证材料`,
    of_update: '所属进展',
    task: '任务',
    unit: '报告单位',
    approved: '审核通过',
    file: '文件',
    download_pdf: (size: string) => `下载 PDF 文件（${size}）`,
    open_full: (w: number, h: number, size: string) => `打开原图（${w}×${h} 像素，${size}）`,
    back: '返回创建进度',
    note: '佐证材料由报告单位上传，经镇领导小组办公室审核后公开。',
  },

  /** A target's own page (pages/towns/[id]/targets/[indicator].astro). */
  target_page: {
    description: (town: string, name: string) => `${town}“${name}”的目标、每个时间节点的完成情况和审核通过的数值`,
    definition: '指标说明',
    plan_heading: '方案怎么写',
    by_milestone: (label: string) => `到${label}`,
    values_heading: '审核通过的数值',
    values_caption: (name: string) => `“${name}”审核通过的每一个数值`,
    values_more: (shown: number, total: number) => `这里列出最近 ${shown} 个数值，共 ${total} 个；全部数值见`,
    no_values: '还没有审核通过的数值。',
    col_approved: '审核通过时间',
    baseline_source: '工作方案',
    back: '回到创建进度',
  },

  /** The answer-first summary (components/ProgressSummary.astro). */
  summary: {
    pending: '这个镇的进度统计正在更新，请稍后刷新本页。',
    outdated: '（统计正在更新）',
    heading: '目标完成情况',
    milestone: (label: string) => label,
    tasks: (n: number) => `${n}项具体任务`,
    of_which: '；其中',
    as_of: (day: string) => `按${day}（北京时间）已审核的报告统计。`,
    last_approved: (day: string) => `最近一次审核通过：${day}。`,
    none_approved: '还没有审核通过的报告。',
    link_progress: '看创建进度',
  },

  search: {
    title: '搜索',
    intro: '在各镇的工作方案全文、任务和目标中查找。一个字、两个字的词也能查；用空格隔开几个词，结果同时包含这几个词。',
    label: '要查找的字词',
    button: '搜索',
    none: (q: string) => `没有找到“${q}”。请换一个词，或者少输几个字再试。`,
    too_long: (max: number) => `要查找的字词太长，请不要超过 ${max} 个字。`,
    found: (total: number, capped: boolean, from: number, to: number) => `${capped ? `找到超过 ${total} 处` : `找到 ${total} 处`}，这是第 ${from}–${to} 处。`,
    kind_plan: '工作方案',
    kind_task: '任务',
    kind_target: '目标',
    results_label: '搜索结果',
    pages_label: '翻页',
    prev: '上一页',
    next: '下一页',
  },

  not_found: {
    title: '页面不存在',
    body: '您要找的页面不存在，可能是网址输错了，或者页面已经移走。',
    home: '回到首页',
  },
  /** A county's or city's towns side by side (/regions/<id>/). */
  region: {
    title: (name: string) => `${name}医养结合示范镇创建进度`,
    level: { county: '县（市、区）', city: '市' } as Record<string, string>,
    towns_count: (total: number, reported: number) => `共${total}个镇，其中${reported}个镇已有审核通过的报告。`,
    no_towns: '本地区还没有在本站公开方案的乡镇。',
    towns_pending: (n: number) => `另有${n}个镇的统计正在更新，下面的合计暂不包括它们，请稍后刷新本页。`,
    pending: '统计中',
    milestone_line: (label: string) => `${label}目标`,
    deliverables_line: (n: number) => `具体任务${n}项`,
    of_which_overdue: (n: number) => `，其中逾期${n}项`,
    as_of: (day: string) => `按${day}（北京时间）各镇审核通过的报告统计。`,
    last_approved: (day: string) => `最近一次审核通过：${day}。`,
    none_approved: '各镇都还没有审核通过的报告。',
    city_of: '所属市',
    counties_heading: '下辖县（市、区）',
    counties_towns: (n: number) => `${n}个镇`,
    table_heading: '各镇情况',
    table_caption: (name: string) => `${name}各镇创建进度（点击表头的链接可排序）`,
    sort_by: '排序：',
    sort: { name: '按镇名', completed: '按已完成任务比例', overdue: '按逾期任务数', updated: '按最近审核时间' } as Record<string, string>,
    col_town: '镇',
    col_milestone: (label: string) => `${label}达成`,
    col_completed: '已完成任务',
    col_overdue: '逾期任务',
    col_updated: '最近审核通过',
    not_reported: '未报告',
    met_of: (met: number, total: number) => `${met}/${total}`,
    completed_of: (done: number, total: number) => `${done}/${total}`,
    ranking_heading: '排名',
    ranking_rule_heading: '排名办法',
    rank: (n: number, tied: boolean) => (tied ? `并列第${n}名` : `第${n}名`),
    unranked_heading: '未参加排名（还没有审核通过的报告）',
    unranked_none: '所有镇都已有审核通过的报告。',
    ranking_none: '还没有镇有审核通过的报告，暂不排名。',
    share: (p: number) => `已完成${p}%`,
    targets_met: (n: number) => `已达成目标${n}个`,
    indicators_heading: '各镇指标数字',
    indicators_intro: '每个镇最近一次审核通过的数字。个数类指标可以相加，给出合计；比率类指标（%）各镇分母不同，本站没有各镇的分母，所以只列各镇数字，不算平均。没有报告数字的镇写“暂无数据”，不当作0。',
    sum: (sum: string, n: number, total: number) => `${n}个镇合计 ${sum}（另有${total - n}个镇暂无数据）`,
    sum_all: (sum: string, n: number) => `${n}个镇合计 ${sum}`,
    rate_note: '比率，不合计、不平均',
    no_data: '暂无数据',
    col_value: '数字',
    col_as_of: '时点',
    col_source: '来源',
    replies_heading: '本地区政府公开答复中的数字（仅供对照）',
    replies_intro: '下面是地方政府在公开答复中报告的数字，照原文抄录。它们是答复文件的数字，不是上面各镇报告的合计，也没有加进各镇的数字。',
    reply_of: (name: string) => `${name}的答复`,
    replies_more: (n: number) => `共${n}个数字，全部见`,
    replies_link: '各地数据对照',
    downloads_heading: '下载数据',
    download_json: '全部数据（JSON）',
    download_csv: '各镇表格（CSV）',
    download_feed: '审核通过的报告和通报（Atom 订阅）',
    feed_title: (name: string) => `${name}各镇的进展和通报`,
    regions_heading: '按地区查看',
  },
} as const;

export type Zh = typeof zh;

/** The shape every dictionary has: zh's keys, with any string (or a function returning one) as values. */
type Widen<T> = T extends string ? string : T extends (...a: infer A) => infer R ? (...a: A) => Widen<R> : { readonly [K in keyof T]: Widen<T[K]> };
export type Dict = Widen<Zh>;
