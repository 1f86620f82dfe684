"""The capability assessment's checklist (Motorola style, DOMAIN.md §6): seven sections, each
of a fixed number of items scored 0-4, in English and Chinese. An item's id is its section
and number (``process.3``); a score list gives the items in this order."""

from __future__ import annotations

from dataclasses import dataclass

from domain.shared.errors import InvalidFields
from domain.suppliers.audits import SECTION_LABELS, SECTIONS, FindingArea

# What a score means, for every item alike.
SCALE: dict[int, tuple[str, str]] = {
    0: ("Not in place: no approach, or none shown", "未建立：没有做法，或无法出示"),
    1: ("Informal: done by some people, not written down", "非正式：个别人在做，没有书面规定"),
    2: ("Documented, partly deployed or not yet effective", "已成文，但部分实施或尚未见效"),
    3: ("Documented, deployed and effective, with records", "已成文、全面实施且有效，有记录可查"),
    4: (
        "Best practice: measured and continually improved, with results",
        "最佳实践：有量化指标并持续改善，成效可见",
    ),
}

SECTION_LABELS_ZH: dict[str, str] = {
    "quality_system": "质量体系",
    "business": "经营管理",
    "design_technology": "设计技术",
    "production_technology": "生产技术",
    "process": "过程控制",
    "training": "培训",
    "materials_management": "物料管理",
}

_ITEMS: dict[str, list[tuple[str, str]]] = {
    "quality_system": [
        (
            "A quality manual and procedures are approved and current",
            "质量手册和程序文件经批准且现行有效",
        ),
        ("Management reviews quality results at set intervals", "管理层定期评审质量绩效"),
        ("Quality objectives are set, measured and published", "设定、测量并公布质量目标"),
        (
            "Internal quality audits follow a plan and close their findings",
            "按计划进行内部质量审核并关闭发现项",
        ),
        ("Documents and records are controlled", "文件和记录受控"),
        ("Customer complaints are recorded, analysed and answered", "客户投诉有记录、分析和答复"),
        ("Corrective and preventive actions are tracked to closure", "纠正和预防措施跟踪至关闭"),
        ("Quality costs are collected and reviewed", "收集并评审质量成本"),
        ("Calibration of measuring equipment is controlled", "测量设备的校准受控"),
    ],
    "business": [
        ("The company is financially stable", "公司财务状况稳定"),
        ("A business plan covers the coming years", "有覆盖未来数年的经营计划"),
        ("Top management is committed to the customer", "最高管理层重视客户"),
        ("The organisation chart and responsibilities are defined", "组织架构和职责明确"),
        ("Capacity planning meets the forecast demand", "产能规划满足预测需求"),
        ("Cost reduction is planned and reported", "有成本降低计划并报告成果"),
        ("Delivery performance is measured", "衡量交货绩效"),
        ("Orders and contracts are reviewed before acceptance", "接单前评审订单和合同"),
        ("A business continuity plan exists", "有业务连续性计划"),
        ("Environmental, health and safety rules are met", "符合环境、健康与安全要求"),
        ("Customer satisfaction is surveyed and acted on", "调查客户满意度并采取改进行动"),
    ],
    "design_technology": [
        ("A documented design and development process is followed", "遵循成文的设计开发流程"),
        ("Design reviews are held at defined stages", "在规定阶段进行设计评审"),
        ("Design FMEA is performed and kept current", "执行并持续更新设计FMEA"),
        ("Design verification and validation plans exist", "有设计验证和确认计划"),
        ("Reliability is predicted and tested", "进行可靠性预计和试验"),
        ("Engineering changes are controlled", "工程变更受控"),
        ("Specifications are agreed with the customer", "规格与客户达成一致"),
        ("CAD/CAE tools are adequate and maintained", "CAD/CAE工具充分且得到维护"),
        ("Technology roadmaps are maintained", "维护技术路线图"),
        ("Design-for-manufacture rules are applied", "应用可制造性设计规则"),
    ],
    "production_technology": [
        ("Equipment and tooling suit the product and volume", "设备和工装适合产品和产量"),
        ("Preventive maintenance is planned and recorded", "有计划地进行预防性维护并记录"),
        ("New processes are qualified before production", "新工艺在量产前经过验证"),
    ],
    "process": [
        ("Process flow charts and control plans exist", "有工艺流程图和控制计划"),
        ("Process FMEA is performed and kept current", "执行并持续更新过程FMEA"),
        ("Work instructions are at the workstation", "作业指导书放置于工位"),
        ("Key characteristics are under SPC", "关键特性采用统计过程控制"),
        ("Process capability (Cpk) meets the target", "过程能力(Cpk)达到目标"),
        ("First-article inspection is performed", "执行首件检验"),
        ("Nonconforming product is identified and segregated", "不合格品得到标识和隔离"),
        ("Rework is controlled and re-inspected", "返工受控并重新检验"),
        ("Final inspection and tests are defined", "规定了最终检验和试验"),
        ("Measurement systems are analysed (MSA/GR&R)", "进行测量系统分析(MSA/GR&R)"),
        ("ESD and cleanliness are controlled", "静电防护和清洁度受控"),
    ],
    "training": [
        ("Training needs are identified for every role", "识别每个岗位的培训需求"),
        ("Operators are certified for their operations", "操作员经过上岗认证"),
        ("Training records are kept and reviewed", "保存并评审培训记录"),
    ],
    "materials_management": [
        ("Suppliers are selected and approved on defined criteria", "按规定准则选择和批准供应商"),
        ("Sub-supplier performance is monitored", "监控次级供应商绩效"),
        ("Incoming inspection follows a plan", "按计划进行来料检验"),
        ("Material is identified and traceable", "物料有标识且可追溯"),
        ("Storage protects material from damage and ageing", "储存条件防止物料损坏和老化"),
        ("First-in first-out is applied", "执行先进先出"),
        ("Moisture-sensitive parts are handled to their rules", "按规定处理湿敏元件"),
        ("Inventory accuracy is checked by cycle counts", "通过循环盘点核对库存准确性"),
        ("Packaging and labelling meet the customer's needs", "包装和标签满足客户要求"),
        ("Shipping is controlled and on time", "发货受控且准时"),
        ("Material planning (MRP) is in place", "建立物料需求计划(MRP)"),
        ("Obsolete and expired material is controlled", "呆滞和过期物料受控"),
        ("Hazardous substances are controlled (RoHS)", "有害物质受控(RoHS)"),
    ],
}


@dataclass(frozen=True)
class Item:
    id: str
    number: int
    text_en: str
    text_zh: str


@dataclass(frozen=True)
class Section:
    key: str
    number: str  # "1.0" to "7.0", as the assessment form numbers them
    label_en: str
    label_zh: str
    items: tuple[Item, ...]


CHECKLIST: tuple[Section, ...] = tuple(
    Section(
        key=key,
        number=f"{n}.0",
        label_en=SECTION_LABELS[key],
        label_zh=SECTION_LABELS_ZH[key],
        items=tuple(
            Item(id=f"{key}.{i}", number=i, text_en=en, text_zh=zh)
            for i, (en, zh) in enumerate(_ITEMS[key], start=1)
        ),
    )
    for n, key in enumerate(SECTIONS, start=1)
)

ITEM_IDS: tuple[str, ...] = tuple(item.id for s in CHECKLIST for item in s.items)


def by_position(by_item: dict[str, int], field: str = "scores_by_item") -> dict[str, list[int]]:
    """Scores given by item id as the per-section lists the assessment keeps; an unknown or
    a missing item is a field error naming it."""
    errors = [
        (f"{field}.{k}", "is not an item of the checklist") for k in by_item if k not in ITEM_IDS
    ]
    errors += [(f"{field}.{i}", "needs a score (0-4)") for i in ITEM_IDS if i not in by_item]
    if errors:
        raise InvalidFields(errors)
    return {s.key: [by_item[item.id] for item in s.items] for s in CHECKLIST}


FINDING_AREA_LABELS: dict[FindingArea, tuple[str, str]] = {
    FindingArea.GENERAL: ("General", "综合"),
    FindingArea.DESIGN_PREPRODUCTION: ("Design and pre-production", "设计与试产"),
    FindingArea.STOCKROOM_TOOLROOM: ("Stockroom and toolroom", "仓库与工具房"),
    FindingArea.MOULDING: ("Moulding", "注塑"),
    FindingArea.STAMPING: ("Stamping", "冲压"),
    FindingArea.PLATING: ("Plating", "电镀"),
    FindingArea.ASSEMBLY_TEST: ("Assembly and test", "组装与测试"),
    FindingArea.WASTE_TREATMENT: ("Waste treatment", "废弃物处理"),
    FindingArea.BUSINESS: ("Business", "经营"),
}
