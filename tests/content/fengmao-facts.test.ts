/**
 * Seed facts of 冯政发〔2018〕24号 (冯卯镇《关于创建市级医养结合示范镇的工作方案》), checked against content/.
 *
 * Every expected value below was read off the seed document by hand; the assertions compare them with what
 * content/towns/fengmao/ and content/indicators.yaml actually say, so a wrong figure, target, member or
 * heading in content/ fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContent } from '../../worker/content/read.ts';

// ---------------------------------------------------------------- the seed

/** The seed document's text (lines 7–77 of /work/shared/seeds/002_8ffd31154bc4d7b9.txt), verbatim. */
const SEED = String.raw`冯政发〔2018〕24号


关于创建市级医养结合示范镇的工作方案

为进一步推进医养结合工作，统筹医疗卫生、养老服务及社会资源，满足老年人多层次、多样化的健康养老服务需求，根据市政府办公室关于转发市卫生计生委等部门《关于加快推进医养结合工作的实施方案》的通知（枣政办发〔2018〕4号）文件精神及枣庄市卫生和计划生育委员会《关于组织申报市级医养结合示范镇（街办）》的通知要求，经镇党委、政府研究，决定开展医养结合示范创建工作，特制定本工作方案。
一、现实基础
（一）全镇基本情况。全镇辖35个行政村，1.5万户，5.8万人，其中65岁以上老年人6106人，占总人口的10.53%。镇域面积96平方公里，坐拥国家大（二）型水库——岩马湖,形成了“湖光山色、林海果园”独特的地域风貌，为国家水利风景区、全国农业旅游示范点、全国一村一品示范村镇、山东省文明镇、山东省生态镇、山东省历史文化名镇、山东省美丽宜居小镇、山东省旅游强镇。历史文化名镇。至今传颂着鬼谷子登山望母、冯卯向善、尚诏放粮等历史典故；有两汉画像石墓、两晋时期古泉庵、隋唐独孤王城等历史文物遗址；独孤城村、冯卯村成功获批国家传统村落；甩铁花、棕编、柳琴戏等传统民俗文化丰富。生态农业强镇。全镇春雪桃等林果面积达3万亩，不断拓展农业附加功能，积极发展休闲农业与乡村旅游业。多次被央视《新闻联播》、《朝闻天下》、《新闻直播间》等栏目报道。美丽宜居小镇。突出乡土特色，精细施工，创建了一批全国生态文明村、国家绿色村庄、省级美丽宜居村庄，叫响了美丽乡村“冯卯品牌”，群众获得感、幸福感显著提升。特色产业重镇。全镇果蔬冷藏及纸箱包装产业发展迅速，为山东省特色经济专业镇、山东省包装产业集群镇；大力发展新能源业，建成海川光伏40MW光伏电站项目，鲁能集团大平山50MW光伏电站一期工程已并网发电。
（2） 工作基础。全镇现有各类医疗卫生机构46家，从业卫生人员161人。全系统设有床位458张，门诊量突破4.95万人次。冯卯中心卫生院先后被评为一级甲等医院、国家级爱婴医院、市级百姓满意医院、市级文明单位、市级诚信单位、区级卫生工作一等奖、枣庄市劳动关系和谐单位、山东省中医药特色乡镇卫生院、山东省群众满意的卫生院。
（三）开展现状。通过引进社会资本，争取政府政策性贷款融资和财政投入，加快建设全镇医养结合项目建设进度。冯卯养老康复中心项目，是集养老、残疾人托养、康复医疗于一体的托养机构。项目总占地25亩，建筑面积4100㎡，配套养老床位230张，目前已完成项目主体工程。滨湖颐养小镇建设项目总投资6亿元，重点发展医养产业，医养结合，医养融合。发展田园养生、中草药种植、农耕体验，运动康复、居家医养，老年护理，有病治病、无病疗养、医疗和养老相结合的新型养老模式。打造成高端制造与现代农业相结合、休闲旅游与传统文化相适应、智慧能源与众创平台相叠加、智能社区和谐宜居与健康养老相呼应的综合化、新型化、一体化，“产、城、人、文”高度融合的特色小镇。
加强医疗机构养老护理内涵建设，辖区内医疗机构增设老年病科和老年病床，并在镇中心卫生院、镇福利院、村级老年人日间照料中心重点开展对60岁以上老年人的签约服务。
开通老年人就医绿色通道，具有本镇户籍的60岁以上老年人在各类医疗机构就医，免收普通和专家门诊挂号费。在医疗机构收费挂号处开设老年人专用窗口，门诊大厅内导医台为老年人等提供各项咨询服务。健全无障碍设施，保障老年人在医院看病就医过程中通行方便和使用便利。
推进实施“互联网+健康”工程，以镇卫生院为基础，涵盖全镇的精准扶贫户医疗数据共享，结合贫困户的建档立卡，配备便捷式医疗设施，实现随时随地采集健康相关数据，方便进村入户做相关体检，并实现健康档案建立、健康数据分析等功能。
二、总体要求
（一）指导思想。以习近平新时代中国特色社会主义思想为指导，全面深入贯彻党的十九大精神，按照坚持党的领导、增强群众获得感，坚持医养结合、统筹发展，坚持保障基本、分类实施，坚持政府引导、市场驱动，坚持深化改革、创新机制的原则，以满足全镇老年人健康养老服务需求为目标，以医养健康产业新旧动能转换为动力，以新技术、新产业、新业态、新模式为支撑，加快建立覆盖全体老年人群的健康养老服务体系，为建设美丽宜居幸福新冯卯奠定坚实健康基础。
（二）基本原则。坚持医养结合、统筹发展。统筹医疗、医药、医保资源，与养老、养生、养病服务全面融合，为老年人提供多层次、多样式、个性化的健康养老服务，实现老有所养、老有所依、老有所康、老有所乐。
坚持保障基本、分类实施。建立以居家为基础、村居为依托、机构为补充、医养相结合的服务体系。对多数老年人，以居家和福利院养老为主，提供便捷化、全覆盖的基本健康养老服务；对有医疗需求的失能、部分失能老年人，以医疗、养老机构为依托，提供专业化、全方位的医疗护理康复服务；重点保障高龄、重病、贫困等特殊老年群体的基本健康养老服务需求。
坚持政府引导、市场驱动。基本健康养老服务领域，政府要有作为，充分发挥在规划设置、政策保障、财政投入、市场规范等方面的引导作用；中高端健康养老服务领域，市场要有活力，充分发挥市场在资源配置中的决定性作用，形成平等参与、公平竞争的市场环境。
坚持深化改革、创新机制。加快转变政府职能，以管理、技术、服务、模式创新为先导，不断创新服务供给和资金保障方式，加大对外招商力度，积极引进社会资本发展医养产业，激发各类服务主体的潜力和活力，提高医养结合服务水平和效率。
（3） 发展目标
到2018年年底，建立起较为完善的医养结合政策体系、标准规范、管理制度和专业化人才培养制度，健康养老服务体系不断健全，患病老年人得到有效治疗。家庭医生签约服务力争覆盖70%以上的常住老年人群，90%以上的医疗机构为老年人提供就医绿色通道，80%以上的养老机构提供医疗护理服务。推动社区老年人日间照料中心、农村幸福院等日间照料设施转型发展，逐步由专业机构托管运营，完善日间照料、失能老年人托养、居家养老服务等功能。年内争取建设3处社区养老服务中心。冯卯养老康复中心实现全面运行，滨湖颐养小镇建设项目稳步推进。
到2020年年底，以居家为基础、社区为依托、机构为补充、医养相结合的养老服务体系全面建成。家庭医生签约服务力争覆盖所有常住老年人群，65岁以上老年人健康管理率达到75%以上。所有医疗机构为老年人提供就医绿色通道，所有养老机构为入住老年人提供医疗护理服务。鼓励社会参与，加快建设以提供日间照料、短期托养、上门服务为主要内容的社区养老服务中心。鼓励农村新型经营主体利用农家院、休闲采摘园等田园资源开展社会居家养老服务，为有需求的居家老年人提供助餐、助浴、助洁、助医等服务。全镇三分之二的行政村建成养老服务中心,建设10个左右市级智慧健康养老示范社区、5个左右省级智慧健康养老示范社区，推进滨湖颐养小镇建成省级以上智慧健康养老示范基地，建设2个中医药特色医养结合示范基地，培育国内知名的康养旅游品牌。
到2022年年底，服务模式智慧化、投资主体多元化、服务队伍专业化、服务流程标准化、服务品牌高端化的医养结合服务体系全面形成，老年人健康养老管理服务全面覆盖，智能健康养老服务产品全面推广，智慧医养、智能照护服务全面普及，医养健康产业繁荣发展。
三、重点任务
（一）以健康评估为基础，完善健康养老监测评估体系。建立健康老年人健康评估体系，完善评估标准和流程。到2018年年底，集中开展老年人健康专项基线调查，摸清全镇老年人身心健康状况、疾病谱及健康危险因素水平，了解不同群体老年人对健康服务管理、适老健康支持环境建设的个性化需求，根据老年人不同的健康分级情况制定服务规范，提供符合需求的标准化与个性化相结合的医养结合服务。充分利用现有卫生、养老等服务资源，依托镇级“互联网+健康”健康服务中心，进一步完善中心配套，购置智能云健康检测仪器，便携式彩色超声机，电磁治疗仪，医用空气净化器，健康档案系统等相关医疗仪器（血压、血糖、血脂、体温、体重、肺活量等检测功能），实现健康档案建立、健康数据分析等功能，建设“居民电子健康档案”信息系统，实现健康档案建立、健康数据分析精准化。加强评估队伍建设，鼓励社会力量独立设置评估中心（站），开展第三方评估工作。建立健全医养结合工作监测评价机制，对重点工作进展和服务效果进行跟踪评估，定期发布老年人健康状况相关信息。
（二）以家庭医生签约服务为抓手，实现居家服务医养结合。注重医养结合，为老年人提供有针对性的专业化医疗和“实时健康监测”服务。开展家庭医生签约式团队服务，组建由家庭医生与护士、公共卫生医师等专业人员共同组成的服务团队，将基本医疗服务与公共卫生服务相结合，对老年人进行健康分级管理，使老年人慢性疾病得到规范治疗，日常生活得到专业健康保健指导。为辖区内居家老人提供“五保障四优先”的居家养老服务（五保障：一个常见病、多发病健康咨询、用药指导的专业医护团队，一份老年人健康档案，一次年度免费健康体检，一份年度健康管理方案，一个慢性病长处方；四优先：优先就诊、优先转诊、优先预约专家、优先保障用药）。在此基础上，对居家重病、失能及部分失能老人提供四项重点上门服务（四重点：家庭病床、家庭巡诊、长期护理康复、安宁疗护）。鼓励医护人员多点执业，引导诊所、门诊部等社会办医疗机构医护人员开展居家医养签约服务。加快老年人家庭医生签约服务全覆盖进程，确保老年人疾病早发现、小病能处理、大病易转诊、慢病有管理，保障老年人公平享有连续性的健康养老服务。
健全服务规范和标准，制定老年人家庭医生签约服务分级标准，明确基本医疗卫生服务项目规范流程、路径、要求以及考核指标等。完善老年人常见病、多发病诊疗指南，规范居家养老、医疗、护理、康复、药品配送、延伸处方等服务内容，制定健康管理、远程监测等新增服务的收费和价格标准，提高家庭出诊、巡诊、建床等家庭诊疗服务项目标准。非基本医疗卫生服务需求可通过第三方保险、居民自费等方式向基层医疗卫生机构或其他医疗机构购买。
突出做好老年人疾病防控工作，促进健康老龄化理念和医疗保健知识宣传普及进社区、进家庭，增强老年人的自我保健意识和能力。完善老年人免疫预防服务,积极引导老年人接种流感疫苗、肺炎疫苗，降低相关疾病发生风险。加强对老年人心脑血管疾病、糖尿病、恶性肿瘤、呼吸系统疾病、口腔疾病等常见病、慢性病的健康指导、综合干预。开展老年人心理健康评估和老年痴呆症、抑郁症等筛查和规范治疗，促进老年心理健康。推进落实社区养老服务中心、综合性医疗机构和公共卫生专业机构“三位一体”的老年慢性病健康管理。
（三）以一站式服务平台为依托，实现社区服务医养结合。完善社区医养服务设施建设，社区养老服务设施与卫生、助残等公共服务设施统筹布局、互补共享，鼓励老年人日间照料中心、老年人活动中心、托老所等社区养老机构与周边医疗机构“嵌入式”发展或签订合作协议，到2020年实现签约全覆盖。具备条件的社区卫生服务机构可设立托老科、安宁疗护床位，在社区养老服务机构配备护理人员、康复护理设施设备和器材。
打造一站式居家社区医养服务平台，整合老年人基本信息档案、电子健康档案、电子病历等资源，推动居家养老服务平台和全民健康信息平台信息共享，打造集居家社区养老、医疗救护、健康咨询、生理监测、远程健康管理、养生康复、亲情关爱、互助养老等功能于一体的一站式服务平台，实现老年人尤其是独居、空巢老人与社区养老、服务机构的全天候无缝对接。
推进老年宜居环境建设，完善涉老工程建设标准规范体系，在规划、设计、施工、监理、验收、运行、维护、管理等环节加强相关标准的实施与监督。加强居住公共设施，特别是坡道、楼梯、电梯、扶手等公共建筑节点的无障碍改造，以及老年人家庭居室适老性和无障碍改造，实施扶手工程等为老辅助设施建设工程，提高老年人抵御意外风险的能力。
鼓励开展多元化社区医养服务，引导社会力量管理运营社区医疗养老服务机构和设施，培育一批品牌化、连锁化、规模化的龙头社会组织，使社会力量成为提供社区医养服务的主体。充分发挥社会公益组织作用，通过招募志愿者等，给予社区老年人更多关爱照顾。
（四）以规范化、标准化为重点，实现机构服务医养结合。深入推进机构医养结合，鼓励社会资本新建医养结合机构。冯卯中心卫生院增设老年病科（区），增加老年病床数量；提高冯卯养老康复中心服务能力，发展成为收治高龄、重病、失能、部分失能老年人的医养结合机构。积极推进镇卫生院、养老院“两院一体”模式，做到机构共建、资源共享、服务融合。鼓励医务人员到医养结合机构提供医疗、保健、康复及护理服务，支持有相关专业特长的医师及专业人员开展疾病预防、营养、中医调理养生等非诊疗行为的健康服务。
建立医养联动工作机制，支持医疗机构与养老机构开展多种形式的合作，开通双向转诊、急诊急救绿色通道，组织专家团队定期到养老机构巡诊。建设医疗养老联合体或共同体，促进医养服务的信息畅通和资源共享，打造成为服务共同体和发展共同体。联合体内医疗机构要对转诊老年患者提供优先接诊、优先检查、优先住院等服务，恢复期及危重症稳定期的老年患者，转诊至有医疗条件的养老机构继续治疗与康复。
（五）以发挥特色优势为核心，实现中医药服务医养结合。推进中医药与养老结合，鼓励中医医疗机构全面参与医养结合工作，探索融医疗、养老、保健、康复于一体、全链条的医院发展模式。做强冯卯国医堂品牌效应，推进中医药特色医养服务建设。以滨湖颐养小镇建设项目为平台，大力发展中草药种植，建设以中医药健康养老为主的护理院、疗养院和养老院。
发展中医药养生保健服务，深入实施中医治未病健康工程，在冯卯中心卫生院设立治未病科室，以老年人为重点，开发中医养生保健技术和产品，提供规范的中医健康干预服务。加强国医堂建设，大力培养中医医护人员，提高从医水平。在家庭签约服务中，针对老年人群设计个性化的中医药健康服务包。鼓励中医医师在养老机构提供保健咨询和调理服务。
促进中医药健康养老文化传播，建立滨湖颐养小镇中医药养老服务实训基地，加强养老照护人员的中医药技能培训，开展中医健康体检、健康评估、健康干预及中医药、治未病、药膳食疗等科普活动。普及中医药健康养生智慧、健康理念和知识方法，推进中医药体验式服务融入老年旅游、传统文化等主题项目建设，推广太极拳、八段锦、五禽戏等适合老年人的中医传统运动项目，把中医药文化融入养老全过程，培养老年人健康科学的生活方式。
（六）推进“互联网＋”智慧健康养老产业发展。大力发展以互联网为载体的信息技术在健康养老服务中的应用，加强医养结合服务体系智能化建设，为居家养老、机构养老的老年人提供移动医疗服务。依托社区养老服务中心签约的家庭医生实时在线系统，每日更新老年人健康管理档案信息，随时监控居家老年人的身体健康状况，进行高血压、糖尿病、心脏功能监测，对突发心脑血管疾病实施紧急救援和转诊服务。整合资源，实现老年人生活信息和医疗信息共享利用，为老年人提供远程健康管理、健康指导等服务，做到急症早发现、早救治。组织医疗卫生机构开展面向养老机构的远程视频诊疗服务，探索可持续运营的业务模式和商业模式，促进智慧健康养老产业发展。
（七）推进旅游养老和医疗保健养生服务相结合。加大镇域生态环境保护力度，大力发展生态循环农业，做好生态和业态结合文章，依托岩马湖生态资源优势，做足山水文章，实施环湖绿道建设，积极与体育部门对接，开展水上运动，发展运动康体项目。积极推进滨湖颐养小镇建设项目建设，不断丰富产业发展内涵，力争建成省级以上智慧健康养老示范基地。大力发展田园经济，深入挖掘乡土文化，依托古村落、民俗文化村文化底蕴，发展特色民宿，不断扩展农业附加功能，开展农事体验等系列慢生活活动，开辟生态避暑、休闲度假、养生旅游等精品旅游线路，为旅居老年人舒适安逸的休闲环境。提高养老医疗服务能力，为旅居老年人提供急诊急救、特色康复保健、中医养生体验、中医药健康服务等健康旅游养生服务，打造特色医疗、慢性病防治、疗养康复、美容保健、中医药养生、中医药疗养康复等健康旅游居住品牌产品。加强旅游市场宣传推广，聚集冯卯经济发展人气，打造鲁南最佳养老旅游目的地。
四、组织保障
（一）加大政策扶持力度。积极对接上级利好政策，为医养结合机构争取政策、土地、资金等扶持。鼓励引导商业银行、保险公司、证券公司等金融机构开发适合老年人的理财、信贷、保险等产品。支持发展医养结合机构责任保险、老年人意外伤害保险、长期护理保险、养老保险等，提升个人养老能力，降低机构经营风险。鼓励农村新型经营主体利用农家院、休闲采摘园等田园资源开展社会居家养老服务，为有需求的居家老年人提供助餐、助浴、助洁、助医等服务。积极推动社区老年人日间照料中心、农村幸福院等日间照料设施转型发展，逐步由专业机构托管运营，完善日间照料、失能老年人托养、居家养老服务等功能。鼓励社会参与，加快建设以提供日间照料、短期托养、上门服务为主要内容的社区养老服务中心。
（二）完善人才培养机制。全面加强医养结合专业人才队伍建设，建立岗前教育、岗中培养、继续教育的培养体系，加大对养老机构专业医生、执业护士、管理人员和养老护理员的培训力度，打造一支素质高、专业强的养老服务队伍。鼓励大中专院校护理及相关专业毕业生到养老服务机构和社区从事养老服务工作。将老年医学、康复、护理人才作为急需人才纳入卫生技术人员培训规划和临床骨干医师培训项目。对符合条件的参加养老护理职业技能培训和职业技能鉴定的人员，按规定给予职业培训补贴和职业技能鉴定补贴。鼓励医护人员到医养结合机构执业。在养老机构从事医护工作的专业技术人员，在申报职称时，与医疗卫生机构医护人员同等对待。医疗卫生机构在分配绩效工资时，对到养老机构中轮岗服务的职业医师和职业护士给予适当倾斜。建立医疗卫生机构与医养结合机构人员进修、轮训、轮岗服务机制，促进人才有序流动。
（三）加强信息化建设。以镇级“互联网+健康”健康服务中心为基础，全面推进医养结合信息平台数据标准化和信息共享，建立统一的数据交换共享指标体系，实现跨部门、跨区域的业务协同和信息资源共享。利用老年人基本信息档案、电子健康档案、电子病历等，推动养老服务信息平台与区域人口健康信息平台对接。积极推广使用居民健康卡，促进居民电子健康信息动态实时更新，强化个人健康与疾病监测管理。探索以社会保障卡作为医养结合金融信息服务的有机载体，落实高龄津贴、失能补贴、特困老年人生活补贴、抚恤优待金等社会保障性资金领取“一卡通”。
（四）加强组织领导。成立由镇党委副书记、镇长任组长的医养结合示范创建工作领导小组，各办事处、各有关部门要充分认识医养结合在深化医改、发展养老服务业以及应对人口老龄化等工作中的重要意义，切实把推进医养结合工作摆在重要位置，精准分解目标任务，加强沟通协作，形成推进医养结合工作发展的合力，全面落实工作责任。
（五）强化督导考核。医养结合示范创建工作将纳入全镇重要事项督查范围，各责任单位、分管科级干部要切实提高工作自觉性，主动积极作为，细化措施目标，抓好落实。针对工作中出现的新问题要积极解决，主动向上对接，确保示范创建工作取得圆满成果。镇纪委、组织、卫计、民政等单位将抽调精干力量，定期不定期开展督导检查，对示范创建工作各单位承担任务完成情况进行通报。
（六）加大宣传力度。通过广播、印发宣传页等传统媒体和微信等新媒体，广泛宣传健康养老知识和各级扶持政策。弘扬敬老、养老传统美德，引导转变传统养老观念，鼓励失智、失能、部分失能老人进入医养结合机构享受专业化养老服务。加强对老年人成年子女的指导培训，引导其履行赡养义务，提升照料技能，切实承担好照料责任。镇报道站要加大宣传报道力度，及时总结宣传推广先进经验做法，按照有关规定表彰奖励医养结合服务品牌，营造良好社会舆论氛围。
 冯卯镇推进医养结合工作领导小组
成员名单

组  长：田  琨  镇党委委副书记、镇长
副组长：姚东伟  镇党委副书记
        邵艳秋  副镇长、卫计办主任
成  员：杨钦涛  卫计办副主任
        神兴敏  乡村规划建设监督管理办副主任
吕奉鹏  财政所所长
徐  鹏  党政办主任
潘述熙  组织办副主任、扶贫办主任
孙召印  民政办主任
邵泽宝  民经委主任
赵现军  村镇建设服务中心主任
武  芳  旅服办主任
张忠峰  老龄委主任
王  鹏  报道站站长
李  峰  冯卯国土所所长
秦咸波  辘轳办事处党总支书记
张  帆  谢庄办事处党总支书记
李开存  岩马办事处党总支书记
吕作东  欧峪办事处党总支书记
张  彤  嶂山办事处党总支书记
      杜  伟  冯卯办事处党总支书记
领导小组办公室设在镇卫计办，姚东伟兼任办公室主任，邵艳秋、杨钦涛兼任办公室副主任。`;
/** The seed file itself, where present (repository fixture or the shared seeds folder): checked against SEED. */
const SEED_FILE = [
  resolve(import.meta.dirname, '../fixtures/seeds/002_8ffd31154bc4d7b9.txt'),
  '/work/shared/seeds/002_8ffd31154bc4d7b9.txt',
].find((f) => existsSync(f));

/** Collapses runs of whitespace to one space and trims. */
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
/** Removes all whitespace (for quotes that may have been copied across the list's alignment spaces). */
const squash = (s: string) => s.replace(/\s+/g, '');
/** Markdown text with the markup removed: heading marks, list bullets, emphasis. */
const stripMarkdown = (md: string) =>
  md
    .split('\n')
    .map((l) => norm(l.replace(/^\s*#{1,6}\s+/, '').replace(/^\s*(?:[-*+]|\d+\.)\s+/, '').replace(/\*\*|__/g, '')))
    .filter(Boolean)
    .join('\n');

// ---------------------------------------------------------------- expected facts

const TOWN = { id: 'fengmao', name: '冯卯镇' };

/**
 * Facts the plan does not state, with the basis the editors give (issue 17): the plan names no
 * province, city or county and has no English name and no issuer line.
 */
const UNSTATED: [field: string, value: string, basis: string][] = [
  ['name_en', 'Fengmao Town', 'external'],
  ['province', '山东省', 'inferred'],
  ['city', '枣庄市', 'inferred'],
  ['county', '山亭区', 'external'],
  ['plan.issuer', '冯卯镇人民政府', 'inferred'],
];

const PLAN = {
  title: '关于创建市级医养结合示范镇的工作方案',
  doc_number: '冯政发〔2018〕24号',
  year: 2018,
};

/**
 * [label, value, unit, qualifier, text as written]. 1.5万户 and 5.8万人 are exact: the plan writes
 * no 约 (issue 17 corrected them from approx).
 */
const PROFILE: [string, number, string, string, string][] = [
  ['行政村', 35, '个行政村', 'exact', '35个行政村'],
  ['户数', 15000, '户', 'exact', '1.5万户'],
  ['人口', 58000, '人', 'exact', '5.8万人'],
  ['65岁以上老年人', 6106, '人', 'exact', '6106人'],
  ['65岁以上老年人占总人口比例', 10.53, '%', 'exact', '10.53%'],
  ['镇域面积', 96, '平方公里', 'exact', '96平方公里'],
  ['春雪桃等林果面积', 30000, '亩', 'exact', '3万亩'],
  ['海川光伏电站装机容量（已建成）', 40, 'MW', 'exact', '40MW'],
  ['鲁能集团大平山光伏电站装机容量（一期工程已并网发电）', 50, 'MW', 'exact', '50MW'],
  ['各类医疗卫生机构', 46, '家', 'exact', '46家'],
  ['从业卫生人员', 161, '人', 'exact', '161人'],
  ['全系统床位', 458, '张', 'exact', '458张'],
  ['门诊量', 49500, '人次', 'over', '4.95万人次'],
];

/** [project id, name, status, [label, value, unit, text][]] */
const PROJECTS: [string, string, string | undefined, [string, number, string, string][]][] = [
  ['yanglao-kangfu-zhongxin', '冯卯养老康复中心', '已完成项目主体工程', [
    ['总占地', 25, '亩', '25亩'],
    ['建筑面积', 4100, '㎡', '4100㎡'],
    ['配套养老床位', 230, '张', '230张'],
  ]],
  ['binhu-yiyang-xiaozhen', '滨湖颐养小镇建设项目', undefined, [['总投资', 600000000, '元', '6亿元']]],
];

/** [id, label, due] */
const MILESTONES: [string, string, string][] = [
  ['y2018', '2018年年底', '2018-12-31'],
  ['y2020', '2020年年底', '2020-12-31'],
  ['y2022', '2022年年底', '2022-12-31'],
];

/** [indicator, milestone, comparator, value, unit, display, denominator] */
const NUMERIC_TARGETS: [string, string, string, number, string, string, { value: number; unit: string } | undefined][] = [
  ['family-doctor-signing-elderly', 'y2018', 'gte', 70, '%', '70%以上', undefined],
  ['family-doctor-signing-elderly', 'y2020', 'eq', 100, '%', '所有常住老年人群', undefined],
  ['green-channel-medical-institutions', 'y2018', 'gte', 90, '%', '90%以上', undefined],
  ['green-channel-medical-institutions', 'y2020', 'eq', 100, '%', '所有医疗机构', undefined],
  ['care-institutions-with-medical-service', 'y2018', 'gte', 80, '%', '80%以上', undefined],
  ['care-institutions-with-medical-service', 'y2020', 'eq', 100, '%', '所有养老机构', undefined],
  ['elderly-health-management-rate', 'y2020', 'gte', 75, '%', '75%以上', undefined],
  ['community-elderly-service-centres-built', 'y2018', 'eq', 3, '处', '3处', undefined],
  ['villages-with-elderly-service-centre', 'y2020', 'gte', 66.67, '%', '三分之二', { value: 35, unit: '个行政村' }],
  ['city-smart-elderly-care-demo-communities', 'y2020', 'approx', 10, '个', '10个左右', undefined],
  ['provincial-smart-elderly-care-demo-communities', 'y2020', 'approx', 5, '个', '5个左右', undefined],
  ['tcm-integrated-care-demo-bases', 'y2020', 'eq', 2, '个', '2个', undefined],
  // The plan's target covers community facilities only: its own indicator, not 养老机构签约 (issue 17).
  ['community-care-facilities-signed-with-medical', 'y2020', 'eq', 100, '%', '签约全覆盖', undefined],
];

/** [indicator, milestone, goal text in the plan's words] */
const QUALITATIVE_TARGETS: [string, string, string][] = [
  ['integrated-care-policy-system', 'y2018', '建立起较为完善的医养结合政策体系、标准规范、管理制度和专业化人才培养制度'],
  ['integrated-care-service-system', 'y2018', '健康养老服务体系不断健全，患病老年人得到有效治疗'],
  ['integrated-care-service-system', 'y2020', '以居家为基础、社区为依托、机构为补充、医养相结合的养老服务体系全面建成'],
  ['integrated-care-service-system', 'y2022', '服务模式智慧化、投资主体多元化、服务队伍专业化、服务流程标准化、服务品牌高端化的医养结合服务体系全面形成'],
  ['day-care-facility-transformation', 'y2018', '推动社区老年人日间照料中心、农村幸福院等日间照料设施转型发展，逐步由专业机构托管运营，完善日间照料、失能老年人托养、居家养老服务等功能'],
  ['fengmao-rehab-centre-operation', 'y2018', '冯卯养老康复中心实现全面运行'],
  ['fengmao-binhu-yiyang-town', 'y2018', '滨湖颐养小镇建设项目稳步推进'],
  ['fengmao-binhu-yiyang-town', 'y2020', '滨湖颐养小镇建成省级以上智慧健康养老示范基地'],
  ['community-elderly-service-centres-social-participation', 'y2020', '鼓励社会参与，加快建设以提供日间照料、短期托养、上门服务为主要内容的社区养老服务中心'],
  ['rural-entities-home-based-care', 'y2020', '鼓励农村新型经营主体利用农家院、休闲采摘园等田园资源开展社会居家养老服务，为有需求的居家老年人提供助餐、助浴、助洁、助医等服务'],
  ['health-tourism-brand', 'y2020', '培育国内知名的康养旅游品牌'],
  ['elderly-health-care-management-coverage', 'y2022', '老年人健康养老管理服务全面覆盖'],
  ['smart-elderly-care-products', 'y2022', '智能健康养老服务产品全面推广'],
  ['smart-medical-care-services', 'y2022', '智慧医养、智能照护服务全面普及'],
  ['integrated-care-industry', 'y2022', '医养健康产业繁荣发展'],
  ['elderly-health-baseline-survey', 'y2018', '集中开展老年人健康专项基线调查'],
];

/** The leading group in printed order: [id, name, role, post as printed, units] */
const MEMBERS: [string, string, string, string, string[]][] = [
  ['tian-kun', '田琨', 'leader', '镇党委委副书记、镇长', []],
  ['yao-dongwei', '姚东伟', 'deputy_leader', '镇党委副书记', []],
  ['shao-yanqiu', '邵艳秋', 'deputy_leader', '副镇长、卫计办主任', ['weijiban']],
  ['yang-qintao', '杨钦涛', 'member', '卫计办副主任', ['weijiban']],
  ['shen-xingmin', '神兴敏', 'member', '乡村规划建设监督管理办副主任', ['guihua-jianguan']],
  ['lv-fengpeng', '吕奉鹏', 'member', '财政所所长', ['caizhengsuo']],
  ['xu-peng', '徐鹏', 'member', '党政办主任', ['dangzhengban']],
  ['pan-shuxi', '潘述熙', 'member', '组织办副主任、扶贫办主任', ['zuzhiban', 'fupinban']],
  ['sun-zhaoyin', '孙召印', 'member', '民政办主任', ['minzhengban']],
  ['shao-zebao', '邵泽宝', 'member', '民经委主任', ['minjingwei']],
  ['zhao-xianjun', '赵现军', 'member', '村镇建设服务中心主任', ['cunzhen-jianshe']],
  ['wu-fang', '武芳', 'member', '旅服办主任', ['lufuban']],
  ['zhang-zhongfeng', '张忠峰', 'member', '老龄委主任', ['laolingwei']],
  ['wang-peng', '王鹏', 'member', '报道站站长', ['baodaozhan']],
  ['li-feng', '李峰', 'member', '冯卯国土所所长', ['guotusuo']],
  ['qin-xianbo', '秦咸波', 'member', '辘轳办事处党总支书记', ['lulu-banshichu']],
  ['zhang-fan', '张帆', 'member', '谢庄办事处党总支书记', ['xiezhuang-banshichu']],
  ['li-kaicun', '李开存', 'member', '岩马办事处党总支书记', ['yanma-banshichu']],
  ['lv-zuodong', '吕作东', 'member', '欧峪办事处党总支书记', ['ouyu-banshichu']],
  ['zhang-tong', '张彤', 'member', '嶂山办事处党总支书记', ['zhangshan-banshichu']],
  ['du-wei', '杜伟', 'member', '冯卯办事处党总支书记', ['fengmao-banshichu']],
];

const OFFICE = {
  unit: 'weijiban',
  director: 'yao-dongwei',
  deputies: ['shao-yanqiu', 'yang-qintao'],
  quote: '领导小组办公室设在镇卫计办，姚东伟兼任办公室主任，邵艳秋、杨钦涛兼任办公室副主任。',
};

/** Every unit the member list or the plan names: [unit id, name, kind]. */
const UNITS: [string, string, string][] = [
  ['weijiban', '卫计办', 'department'],
  ['minzhengban', '民政办', 'department'],
  ['caizhengsuo', '财政所', 'department'],
  ['dangzhengban', '党政办', 'department'],
  ['zuzhiban', '组织办', 'department'],
  ['fupinban', '扶贫办', 'department'],
  ['minjingwei', '民经委', 'department'],
  ['cunzhen-jianshe', '村镇建设服务中心', 'department'],
  ['lufuban', '旅服办', 'department'],
  ['laolingwei', '老龄委', 'body'],
  ['baodaozhan', '报道站', 'institution'],
  ['guotusuo', '冯卯国土所', 'department'],
  ['guihua-jianguan', '乡村规划建设监督管理办', 'department'],
  ['jiwei', '镇纪委', 'body'],
  ['lulu-banshichu', '辘轳办事处', 'subdistrict'],
  ['xiezhuang-banshichu', '谢庄办事处', 'subdistrict'],
  ['yanma-banshichu', '岩马办事处', 'subdistrict'],
  ['ouyu-banshichu', '欧峪办事处', 'subdistrict'],
  ['zhangshan-banshichu', '嶂山办事处', 'subdistrict'],
  ['fengmao-banshichu', '冯卯办事处', 'subdistrict'],
  ['zhongxin-weishengyuan', '冯卯中心卫生院', 'institution'],
  ['yanglao-kangfu-zhongxin', '冯卯养老康复中心', 'institution'],
  ['fuliyuan', '镇福利院', 'institution'],
];

/** 镇纪委、组织、卫计、民政等单位…开展督导检查 */
const SUPERVISING = ['jiwei', 'zuzhiban', 'weijiban', 'minzhengban'];

/** [code, id, title] in order */
const KEY_TASKS: [string, string, string][] = [
  ['一', 'kt1-health-assessment', '以健康评估为基础，完善健康养老监测评估体系'],
  ['二', 'kt2-family-doctor', '以家庭医生签约服务为抓手，实现居家服务医养结合'],
  ['三', 'kt3-community', '以一站式服务平台为依托，实现社区服务医养结合'],
  ['四', 'kt4-institutions', '以规范化、标准化为重点，实现机构服务医养结合'],
  ['五', 'kt5-tcm', '以发挥特色优势为核心，实现中医药服务医养结合'],
  ['六', 'kt6-smart-elderly-care', '推进“互联网＋”智慧健康养老产业发展'],
  ['七', 'kt7-tourism', '推进旅游养老和医疗保健养生服务相结合'],
];
const GUARANTEES: [string, string, string][] = [
  ['保障一', 'g1-policy-support', '加大政策扶持力度'],
  ['保障二', 'g2-talent', '完善人才培养机制'],
  ['保障三', 'g3-informatisation', '加强信息化建设'],
  ['保障四', 'g4-leadership', '加强组织领导'],
  ['保障五', 'g5-supervision', '强化督导考核'],
  ['保障六', 'g6-publicity', '加大宣传力度'],
];

/** Deadlines the plan states for a task: [task id, milestone] (due_basis stated). */
const STATED_DUE: [string, string][] = [
  ['kt1-health-assessment-baseline-survey', 'y2018'],
  ['kt3-community-embedded-signing', 'y2020'],
];

/**
 * Units the plan names for a task: [task id, unit ids] (units_basis stated). 四.3 is not here: its
 * sentence names 冯卯养老康复中心 as what is improved, not as who acts (issue 17).
 */
const STATED_UNITS: [string, string[]][] = [
  ['kt4-institutions-geriatric-department', ['zhongxin-weishengyuan']],
  ['g5-supervision-inspections', ['jiwei', 'zuzhiban', 'weijiban', 'minzhengban']],
  ['g6-publicity-reporting-awards', ['baodaozhan']],
];

/** Tasks whose plan sentence lists its units jointly (镇纪委、组织、卫计、民政等单位): all of them lead (issue 17). */
const JOINT = new Set(['g5-supervision-inspections']);

/** plan.md: [heading, section kind] in document order. */
const SECTIONS: [string, string][] = [
  ['关于创建市级医养结合示范镇的工作方案', 'preamble'],
  ['一、现实基础', 'background'],
  ['（一）全镇基本情况', 'background'],
  ['（2） 工作基础', 'background'],
  ['（三）开展现状', 'background'],
  ['二、总体要求', 'guiding_principles'],
  ['（一）指导思想', 'guiding_principles'],
  ['（二）基本原则', 'principles'],
  ['（3） 发展目标', 'goals'],
  ['三、重点任务', 'key_tasks'],
  ...KEY_TASKS.map(([code, , title]) => [`（${code}）${title}`, 'key_tasks'] as [string, string]),
  ['四、组织保障', 'guarantees'],
  ...GUARANTEES.map(([code, , title]) => [`（${code.slice(2)}）${title}`, 'guarantees'] as [string, string]),
  ['冯卯镇推进医养结合工作领导小组成员名单', 'leading_group'],
];

/** Run-in headings of the seed ("（一）全镇基本情况。…") that plan.md turns into "###" headings. */
const RUN_IN = /^(（[一二三四五六七八九十0-9]+）[^。]*)。/;

// ---------------------------------------------------------------- assertions

const content = readContent();
const bundle = content.towns.find((t) => t.town.id === 'fengmao')!;
const catalogue = new Map(content.indicators.map((i) => [i.id, i]));
const seedLines = SEED.split('\n').map(norm).filter(Boolean);

describe('冯卯镇 seed facts: the town and its plan document', () => {
  it('is in content/', () => expect(bundle).toBeDefined());

  it('has the town identity', () => {
    const { id, name } = bundle.town;
    expect({ id, name }).toEqual(TOWN);
    expect(bundle.town.demo).toBe(false);
  });

  it.each(UNSTATED)('%s = %s is not shown as stated: its basis is %s, with a note', (field, value, basis) => {
    const fact = field === 'plan.issuer' ? bundle.town.plan.issuer : bundle.town[field as 'name_en' | 'province' | 'city' | 'county'];
    expect(fact).toMatchObject({ value, basis });
    expect(fact!.note).toBeTruthy();
  });

  it('has the document number, title and year, and no invented issue date', () => {
    const { title, doc_number, year, issued_on } = bundle.town.plan;
    expect({ title, doc_number, year }).toEqual(PLAN);
    expect(issued_on).toBeUndefined();
  });

  it.each(PROFILE)('profile %s = %d %s (%s, "%s")', (label, value, unit, qualifier, text) => {
    const f = bundle.town.profile.find((p) => p.label === label);
    expect(f, label).toBeDefined();
    expect({ value: f!.value, unit: f!.unit, qualifier: f!.qualifier, text: f!.text }).toEqual({ value, unit, qualifier, text });
    expect(SEED.replace(/\s+/g, '')).toContain(f!.quote);
  });

  it('has exactly the profile figures of the seed', () => {
    expect(bundle.town.profile.map((p) => p.label).sort()).toEqual(PROFILE.map(([k]) => k).sort());
  });

  it.each(PROJECTS)('project %s (%s)', (id, name, status, figures) => {
    const p = bundle.town.projects.find((x) => x.id === id);
    expect(p, id).toBeDefined();
    expect(p!.name).toBe(name);
    expect(p!.status).toBe(status);
    expect(p!.figures.map((f) => [f.label, f.value, f.unit, f.text])).toEqual(figures);
  });

  it.each(MILESTONES)('milestone %s is %s, due %s', (id, label, due) => {
    expect(bundle.town.milestones.find((m) => m.id === id)).toMatchObject({ label, due, year: Number(due.slice(0, 4)) });
  });

  it('has exactly the three milestones', () => {
    expect(bundle.town.milestones.map((m) => m.id)).toEqual(MILESTONES.map(([id]) => id));
  });

  it('maps every heading of plan.md, in order, to its section kind', () => {
    expect(bundle.town.plan.sections.map((s) => [s.heading, s.kind])).toEqual(SECTIONS);
    const headings = bundle.plan_markdown
      .split('\n')
      .filter((l) => /^#{2,3} /.test(l))
      .map((l) => l.replace(/^#+ /, '').trim());
    expect(headings).toEqual(SECTIONS.map(([h]) => h));
  });
});

describe('冯卯镇 seed facts: plan.md carries the whole text', () => {
  const text = stripMarkdown(bundle.plan_markdown);
  const headings = new Set(
    bundle.plan_markdown
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => norm(l.replace(/^#+ /, ''))),
  );

  it.each(seedLines.map((l, i) => [i + 1, l]))('seed paragraph %d is in plan.md', (_n, line) => {
    const m = RUN_IN.exec(line as string);
    let rest = line as string;
    if (m) {
      expect(headings.has(m[1]!), `run-in heading "${m[1]}" must be a Markdown heading`).toBe(true);
      rest = rest.slice(m[0].length);
    }
    if (rest) expect(text.includes(norm(rest)), rest.slice(0, 40)).toBe(true);
  });

  it('starts with the document number and the title', () => {
    const first = text.split('\n').slice(0, 2);
    expect(first).toEqual([PLAN.doc_number, PLAN.title]);
  });

  it('adds no words of its own: with headings re-joined, its text is the seed text', () => {
    // Every run-in heading loses only its full stop; everything else is character for character.
    const seedWithoutRunInStops = seedLines.map((l) => l.replace(RUN_IN, '$1')).join('');
    expect(squash(text)).toBe(squash(seedWithoutRunInStops));
    expect(seedWithoutRunInStops.length).toBeGreaterThan(8000);
  });

  it.skipIf(!SEED_FILE)('the embedded seed is the seed file', () => {
    const file = readFileSync(SEED_FILE!, 'utf8').split('\n').map(norm).filter(Boolean);
    expect(seedLines).toEqual(file);
  });
});

describe('冯卯镇 seed facts: targets', () => {
  const target = (indicator: string, milestone: string) =>
    bundle.indicators.find((i) => i.indicator === indicator)?.targets.find((t) => t.milestone === milestone);

  it.each(NUMERIC_TARGETS)('%s at %s: %s %d %s ("%s")', (indicator, milestone, comparator, value, unit, display, denominator) => {
    const t = target(indicator, milestone);
    expect(t, `${indicator} ${milestone}`).toBeDefined();
    expect(t).toMatchObject({ kind: 'numeric', comparator, value, unit, display });
    if (t!.kind === 'numeric') expect(t!.denominator).toEqual(denominator);
    expect(catalogue.get(indicator)).toMatchObject({ kind: 'numeric', unit });
  });

  it.each(QUALITATIVE_TARGETS)('%s at %s: %s', (indicator, milestone, text) => {
    const t = target(indicator, milestone);
    expect(t, `${indicator} ${milestone}`).toBeDefined();
    expect(t).toMatchObject({ kind: 'qualitative', text });
    expect(catalogue.get(indicator)).toMatchObject({ kind: 'qualitative' });
  });

  it('has no target beyond those listed', () => {
    const listed = [...NUMERIC_TARGETS, ...QUALITATIVE_TARGETS].map(([i, m]) => `${i}@${m}`).sort();
    const actual = bundle.indicators.flatMap((i) => i.targets.map((t) => `${i.indicator}@${t.milestone}`)).sort();
    expect(actual).toEqual(listed);
  });

  it('quotes each target verbatim from the seed, and the quote contains what is displayed', () => {
    for (const ind of bundle.indicators)
      for (const t of ind.targets) {
        expect(SEED.includes(t.quote), `${ind.indicator}@${t.milestone}: ${t.quote}`).toBe(true);
        expect(t.quote.includes(t.kind === 'numeric' ? t.display : t.text), `${ind.indicator}@${t.milestone}`).toBe(true);
      }
  });

  it('records no baselines (the plan gives none)', () => {
    expect(bundle.indicators.filter((i) => i.baseline)).toEqual([]);
  });

  it('has every target delivered by at least one task, and tasks only deliver the town\'s indicators', () => {
    const own = new Set(bundle.indicators.map((i) => i.indicator));
    const delivered = new Set(bundle.tasks.flatMap((t) => t.indicators));
    expect([...own].filter((i) => !delivered.has(i))).toEqual([]);
    expect([...delivered].filter((i) => !own.has(i))).toEqual([]);
  });
});

describe('冯卯镇 seed facts: the leading group and the units', () => {
  const lg = bundle.leading_group;

  it('is named 冯卯镇推进医养结合工作领导小组', () => expect(lg.name).toBe('冯卯镇推进医养结合工作领导小组'));

  it('lists all 21 members of the printed list, in order', () => {
    expect(lg.members.map((m) => [m.id, m.name, m.role, m.post, m.units])).toEqual(MEMBERS);
  });

  it('has one leader and two deputy leaders', () => {
    expect(lg.members.filter((m) => m.role === 'leader').map((m) => m.name)).toEqual(['田琨']);
    expect(lg.members.filter((m) => m.role === 'deputy_leader').map((m) => m.name)).toEqual(['姚东伟', '邵艳秋']);
  });

  it('has its office in 卫计办 with 姚东伟 as director and 邵艳秋, 杨钦涛 as deputies', () => {
    expect(lg.office).toEqual(OFFICE);
  });

  it.each(UNITS)('unit %s (%s) exists as a %s', (id, name, kind) => {
    expect(bundle.units.find((u) => u.id === id)).toMatchObject({ name, kind });
  });

  it('names in the member list a unit for every member post that belongs to one', () => {
    for (const [, , , post, units] of MEMBERS)
      for (const id of units) {
        const u = bundle.units.find((x) => x.id === id)!;
        expect(post.includes(u.name) || post.includes(u.name.replace(/^镇/, '')), `${post} → ${u.name}`).toBe(true);
      }
  });

  it('marks exactly 镇纪委、组织、卫计、民政 as supervising', () => {
    expect(bundle.units.filter((u) => u.supervises).map((u) => u.id).sort()).toEqual([...SUPERVISING].sort());
  });
});

describe('冯卯镇 seed facts: the task breakdown', () => {
  const tasks = bundle.tasks;
  const byId = new Map(tasks.map((t) => [t.id, t]));

  it('has the seven key tasks in order', () => {
    expect(tasks.filter((t) => t.kind === 'key_task').map((t) => [t.code, t.id, t.title])).toEqual(KEY_TASKS);
  });

  it('has the six organisational guarantees in order', () => {
    expect(tasks.filter((t) => t.kind === 'guarantee').map((t) => [t.code, t.id, t.title])).toEqual(GUARANTEES);
  });

  it.each([...KEY_TASKS, ...GUARANTEES])('%s %s is split into deliverables', (code, id) => {
    const children = tasks.filter((t) => t.parent === id);
    expect(children.length).toBeGreaterThanOrEqual(2);
    children.forEach((c, i) => expect(c).toMatchObject({ kind: 'deliverable', code: `${code}.${i + 1}` }));
  });

  it('quotes every task verbatim from the seed', () => {
    for (const t of tasks) expect(SEED.includes(t.quote), `${t.id}: ${t.quote}`).toBe(true);
  });

  it('covers every sentence of 三、重点任务 and 四、组织保障 with a deliverable', () => {
    const start = seedLines.indexOf('三、重点任务');
    const end = seedLines.findIndex((l) => l.startsWith('冯卯镇推进医养结合工作领导小组'));
    const quotes = tasks.filter((t) => t.kind === 'deliverable').map((t) => t.quote);
    const sentences = seedLines
      .slice(start + 1, end)
      .filter((l) => l !== '四、组织保障')
      .map((l) => l.replace(RUN_IN, ''))
      .flatMap((l) => l.split(/(?<=。)/))
      .map((s) => s.replace(/[。，；]$/, ''))
      .filter(Boolean);
    const missing = sentences.filter((s) => !quotes.some((q) => q.includes(s) || s.includes(q.replace(/[。，；]$/, ''))));
    expect(missing).toEqual([]);
  });

  it.each(STATED_DUE)('%s is due %s, as the plan states', (id, due) => {
    expect(byId.get(id)).toMatchObject({ due, due_basis: 'stated' });
  });

  it('marks every other deadline as inferred', () => {
    const stated = new Set(STATED_DUE.map(([id]) => id));
    expect(tasks.filter((t) => t.due_basis === 'stated' && !stated.has(t.id)).map((t) => t.id)).toEqual([]);
  });

  it.each(STATED_UNITS)('%s is assigned to the units the plan names', (id, units) => {
    const t = byId.get(id)!;
    expect(t.units_basis).toBe('stated');
    expect(t.units.map((u) => u.unit).sort()).toEqual([...units].sort());
  });

  it('marks every other unit assignment as inferred', () => {
    const stated = new Set(STATED_UNITS.map(([id]) => id));
    expect(tasks.filter((t) => t.units_basis === 'stated' && !stated.has(t.id)).map((t) => t.id)).toEqual([]);
  });

  it('gives each task one lead unit, except where the plan lists units jointly', () => {
    for (const t of tasks) expect(t.units.filter((u) => u.role === 'lead'), t.id).toHaveLength(JOINT.has(t.id) ? t.units.length : 1);
  });

  it('shows 四.3 as the editors\' assignment awaiting confirmation, not as the plan\'s', () => {
    expect(byId.get('kt4-institutions-rehab-centre-capacity')).toMatchObject({ units_basis: 'inferred' });
  });

  it('names as lead member someone whose post is in the lead unit, or the office director', () => {
    const members = new Map(bundle.leading_group.members.map((m) => [m.id, m]));
    for (const t of tasks) {
      if (!t.lead_member) continue;
      const lead = t.units.find((u) => u.role === 'lead')!.unit;
      const m = members.get(t.lead_member)!;
      expect(m.units.includes(lead) || (t.lead_member === OFFICE.director && lead === OFFICE.unit), `${t.id}: ${t.lead_member}`).toBe(true);
    }
  });

  it('has the 2018 baseline survey, the 2020 signing coverage and the 报道站 publicity as tasks', () => {
    expect(byId.get('kt1-health-assessment-baseline-survey')!.indicators).toContain('elderly-health-baseline-survey');
    expect(byId.get('kt3-community-embedded-signing')!.indicators).toContain('community-care-facilities-signed-with-medical');
    expect(byId.get('g6-publicity-reporting-awards')).toMatchObject({ lead_member: 'wang-peng' });
  });
});
