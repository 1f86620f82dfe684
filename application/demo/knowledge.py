# ruff: noqa: E501, RUF001 - bilingual demo text, a line per answer reads best
"""Demo knowledge base: twenty questions clients ask, each answered in Chinese and in
English (a translation linked to the original), written by an agent and published by an
editor; and ten macros. Their words meet the demo tickets' subjects, so the ticket page
suggests them."""

from __future__ import annotations

from datetime import datetime

from application.knowledge import KnowledgeCommands, MacroCommands
from domain.knowledge import Actions, Audience, Content, MacroText
from domain.service_desk import Priority, Status, TicketType
from domain.shared.base import Context

INQ, COMP, SREQ, FAULT = (
    TicketType.INQUIRY,
    TicketType.COMPLAINT,
    TicketType.SERVICE_REQUEST,
    TicketType.FAULT,
)
# (tag, ticket types, Chinese title and body, English title and body)
TOPICS: tuple[tuple[str, tuple[TicketType, ...], str, str, str, str], ...] = (
    ("account-access", (FAULT, SREQ), "如何重置交易密码",
     "1. 在 App 登录页点击 **忘记密码**。\n2. 验证证件号码与预留手机号。\n3. 设置新的 6 位交易密码。",
     "Password reset: how to reset your trading password",
     "1. On the app's sign-in page choose **Forgot password**.\n2. Confirm your identity "
     "number and phone.\n3. Set a new six-digit trading password."),
    ("account-access", (FAULT,), "App 登录失败怎么办",
     "请先升级 App 至最新版本，并检查网络。连续输错密码 5 次账户将锁定 30 分钟。",
     "App login fails: what to check",
     "Update the app, check the network. Five wrong passwords lock the account for 30 minutes."),
    ("account-access", (SREQ,), "如何开通网上交易账户",
     "携带身份证与银行卡到任一营业部，或在 App 中完成视频见证开户。",
     "Open an online account",
     "Bring your identity card and bank card to a branch, or open it in the app by video."),
    ("account-access", (INQ, SREQ), "如何变更绑定银行卡",
     "在 App“我的-银行卡”中提交新卡信息，原卡无在途资金时当日生效。",
     "How to change my bank card",
     "Submit the new card under Me > Bank cards; with no money in transit it applies the same day."),
    ("account-access", (SREQ,), "如何修改联系地址",
     "在 App“我的-个人资料”中修改地址，或致电客服中心。",
     "Update my address",
     "Change the address under Me > Profile, or call the client centre."),
    ("statements", (INQ, SREQ), "对账单在哪里查看",
     "月度对账单在每月 5 日前生成，可在 App“我的-对账单”中查看和下载。",
     "Statements: where to find and download them",
     "Monthly statements are ready by the 5th: see Me > Statements to view or download them."),
    ("statements", (SREQ,), "如何申请往年对账单",
     "往年对账单可在 App 中按年份下载，纸质版请联系所属营业部。",
     "Send last year's statements",
     "Download any year's statements in the app; for paper copies ask your branch."),
    ("statements", (COMP,), "对账单延迟送达",
     "纸质对账单邮寄约需 7 个工作日，建议开通电子对账单。",
     "Statement arrived late",
     "Paper statements take about seven working days by post: electronic ones arrive at once."),
    ("fees", (INQ,), "基金申购费如何计算",
     "申购费 = 申购金额 ÷ (1 + 费率) × 费率，App 中显示的费率已含优惠。",
     "Question about fund fees: how the purchase fee is computed",
     "Fee = amount / (1 + rate) x rate; the rate the app shows includes any discount."),
    ("fees", (INQ, COMP), "赎回费与持有时间",
     "持有不满 7 日的赎回费为 1.5%，持有越久费率越低。",
     "Redemption fees and holding time",
     "Redeeming within seven days costs 1.5%; the longer you hold, the lower the fee."),
    ("fees", (COMP,), "收到不明费用怎么办",
     "请在 App 中查看交易明细；如对费用有疑问，客服将在 1 个工作日内核实。",
     "Unexpected fee charged",
     "Check the trade details in the app; the client centre checks any fee within one working day."),
    ("fund-purchase-redemption", (INQ,), "基金赎回多久到账",
     "货币基金 T+1 到账，债券与混合基金 T+2 至 T+4 个交易日到账。",
     "When redemption money arrives",
     "Money market funds pay on T+1; bond and hybrid funds in two to four trading days."),
    ("fund-purchase-redemption", (FAULT,), "网上赎回报错",
     "请确认在交易时间内操作且份额未冻结；仍报错请截图联系客服。",
     "Online redemption error",
     "Redeem within trading hours and check the units are not frozen; otherwise send us a screenshot."),
    ("fund-purchase-redemption", (INQ,), "分红方式与派发时间",
     "可选择现金分红或红利再投资，现金红利在权益登记日后 2 个工作日内派发。",
     "When is the dividend paid",
     "Choose cash or reinvestment; cash dividends are paid within two working days of the record date."),
    ("fund-purchase-redemption", (SREQ,), "如何设置基金定投",
     "在基金详情页点击“定投”，选择扣款日与金额即可。",
     "Set up a regular investment plan",
     "On the fund's page choose Regular investment, then the day and the amount."),
    ("risk-assessment", (SREQ,), "风险测评过期怎么办",
     "测评有效期 12 个月，过期后须重新测评方可申购中高风险产品。",
     "Risk assessment expired",
     "An assessment holds for 12 months; take it again before buying higher-risk funds."),
    ("risk-assessment", (INQ,), "风险等级 C1 至 C5 的含义",
     "C1 保守型至 C5 激进型，只能购买不高于自身等级的产品，否则需确认风险提示。",
     "What risk levels C1 to C5 mean",
     "C1 is cautious, C5 aggressive; a fund above your level needs the warning confirmed."),
    ("complaints", (COMP,), "投诉处理流程",
     "收到投诉后 1 个工作日内联系您，5 个工作日内给出处理结果。",
     "How complaints are handled",
     "We call you within one working day and give you our answer within five."),
    ("complaints", (COMP,), "投资顾问未回电",
     "请告知顾问姓名与联系时间，营业部负责人将在当日回电。",
     "Advisor did not call back",
     "Tell us the advisor's name and when you called; the branch manager calls back the same day."),
    ("complaints", (COMP, INQ), "如何升级投诉",
     "对处理结果不满意，可申请总部复核，或向证券业协会投诉。",
     "Escalating a complaint",
     "Not satisfied with the answer? Ask headquarters to review it, or complain to the association."),
)  # fmt: skip

MACROS: tuple[tuple[str, str, bool, Actions], ...] = (
    ("问候并受理", "{client.name}您好，工单 {ticket.number} 已受理，{agent.name} 为您跟进。", True,
     Actions(status=Status.IN_PROGRESS)),
    ("等待客户补充材料", "{client.name}您好，请补充相关截图或证明材料，收到后我们将继续处理。", True,
     Actions(status=Status.PENDING_CLIENT)),
    ("已解决", "{client.name}您好，您的问题已处理完毕，如有疑问请回复本工单。", True,
     Actions(status=Status.RESOLVED)),
    ("密码重置指引", "{client.name}您好：请在 App 登录页点击“忘记密码”，验证身份后重置。", True,
     Actions()),
    ("对账单指引", "{client.name}您好：对账单可在 App“我的-对账单”中下载。", True, Actions()),
    ("升级至营业部", "工单 {ticket.number} 需营业部跟进：{ticket.subject}", False,
     Actions(group="branch")),
    ("紧急处理", "工单 {ticket.number} 已升级为紧急。", False, Actions(priority=Priority.P1)),
    ("Greeting", "Dear {client.name}, we have your request {ticket.number}; {agent.name} "
     "follows it up.", True, Actions(status=Status.IN_PROGRESS)),
    ("Waiting for documents", "Dear {client.name}, please send us the screenshot or document; "
     "we continue as soon as it arrives.", True, Actions(status=Status.PENDING_CLIENT)),
    ("Resolved", "Dear {client.name}, your request is settled. Reply to this ticket if anything "
     "is unclear.", True, Actions(status=Status.RESOLVED)),
)  # fmt: skip


def load_knowledge(
    knowledge: KnowledgeCommands,
    macros: MacroCommands,
    author: Context,
    editor: Context,
    now: datetime,
) -> tuple[int, int]:
    """Write, review and publish every topic in both languages, and save the macros;
    answers how many articles and macros."""
    author, editor = author.model_copy(update={"at": now}), editor.model_copy(update={"at": now})
    articles = 0
    for tag, types, zh_title, zh_body, en_title, en_body in TOPICS:
        original = None
        for title, body, language in ((zh_title, zh_body, "zh-CN"), (en_title, en_body, "en")):
            content = Content(
                title=title,
                body=body,
                language=language,
                audience=Audience.PUBLIC,
                ticket_types=types,
                tags=(tag,),
            )
            article = knowledge.write(author, content, original).id
            knowledge.submit(author, article)
            knowledge.publish(editor, article)
            original = original or article
            articles += 1
    for name, body, public, actions in MACROS:
        macros.save(editor, MacroText(name=name, body=body, public=public, actions=actions))
    return articles, len(MACROS)
