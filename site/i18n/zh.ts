/**
 * Every Chinese label the site shows for a stable English key of the content model.
 * Chinese text that is data (names, quotes, figures) comes from content/, not from here.
 */

export const zh = {
  site: {
    name: '示范镇创建进度',
    description: '公开各镇医养结合示范镇创建工作方案：目标、任务、责任单位和领导小组。',
    skip: '跳到正文',
    nav_label: '网站导航',
    nav_home: '首页',
    nav_compare: '各地数据对照',
    breadcrumb_label: '当前位置',
    footer:
      '本站内容摘自各镇人民政府印发的工作方案和各地政府公开的答复文件，数字照原文抄录。本站网页不使用脚本，不加载外部资源。',
  },

  /** Pages of a town, in navigation order. */
  town_pages: {
    overview: '概况和目标',
    tasks: '任务分解',
    group: '领导小组',
    plan: '方案全文',
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

  /** Profile figure keys (ProfileFigure.key) — used only where content gives no label. */
  profile_key: {
    villages: '行政村',
    households: '户数',
    population: '人口',
    aged_65_plus: '65岁以上老年人',
    aged_65_plus_share: '65岁以上老年人占比',
    area: '面积',
    health_institutions: '医疗卫生机构',
    health_workers: '卫生人员',
    beds: '床位',
    outpatient_visits: '门诊量',
    orchard_area: '林果面积',
    solar_capacity_haichuan: '海川光伏电站',
    solar_capacity_luneng: '大平山光伏电站',
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
  },

  overview: {
    profile_heading: '全镇基本情况',
    profile_source: '以下数字摘自工作方案“现实基础”部分。',
    projects_heading: '已经开展的项目',
    project_status: '项目状态',
    project_status_unknown: '方案未写明',
    milestones_heading: '三个时间节点的目标',
    progress_notice:
      '进度从各责任单位报告开始记录。目前还没有单位报告，所以下面的状态都是“未开始”。这不表示工作没有做，只表示本站还没有收到报告。',
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
    intro:
      '下面是工作方案第三部分“重点任务”和第四部分“组织保障”分解出的各项工作，写明牵头单位、配合单位、分管领导和完成时限。点“方案原文”可以看方案里的原话。',
    key_tasks_heading: '重点任务',
    guarantees_heading: '组织保障',
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
    units_intro: '方案和成员名单里提到的单位。标有“参与督导”的单位按方案“强化督导考核”一节参加督导检查。',
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
    by_place_heading: '各地报告的全部数字',
    report_doc_number: '文号',
    report_issuer: '答复单位',
    report_date: '日期',
    report_date_unknown: '原文没有日期',
    report_addressee: '答复对象',
    report_note: '编者说明',
    report_figures: '报告的数字',
    quote_summary: '看原文',
  },

  not_found: {
    title: '页面不存在',
    body: '您要找的页面不存在，可能是网址输错了，或者页面已经移走。',
    home: '回到首页',
  },
} as const;

export type Zh = typeof zh;
