"""A knowledge base's text for the search bench: articles written the way a real one is.

Words follow Zipf's law (a word's frequency falls with its rank), as in every natural
text: a few words are in nearly every article, most in few. Each article is also about
a topic, a handful of words it repeats (burstiness), which is what makes a search find
it. The vocabulary mixes the service desk's real words, at common ranks, with a long tail
of rarer ones. A corpus whose every article holds every word would measure a search no
knowledge base ever runs; this one measures the common terms too (``账户``, ``fees``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate


def _words(text: str) -> list[str]:
    return text.split()


ZH_WORDS = _words(
    "的 您 可以 如果 需要 我们 请 在 账户 基金 客户 办理 时间 银行 交易 申请 "
    "信息 工作日 查询 确认 系统 资金 服务 手续 通过 提交 操作 网点 柜台 手机 "
    "登录 密码 重置 赎回 到账 申购 净值 风险 测评 过期 等级 对账单 查看 下载 "
    "投诉 处理 流程 开户 材料 身份证 定投 设置 扣款 分红 方式 修改 现金 再投资 "
    "转托管 手续费 费率 计算 优惠 变更 号码 验证码 冻结 原因 解冻 大额 限制 额度 "
    "货币 收益 七日 年化 更新 公告 产品 说明书 合同 协议 签署 电子 邮件 短信 "
    "通知 客服 热线 回访 满意 反馈 建议 营业部 经理 顾问 适当性 匹配 评估 问卷 "
    "结果 有效期 重新 完成 失败 成功 撤销 撤单 份额 持有 期限 封闭期 开放日 "
    "节假日 截止 当日 次日 预计 延迟 核对 明细 记录 历史 打印 邮寄 地址 联系 "
    "方式 "
)
EN_WORDS = _words(
    "the you your to of and a in is for can account please fund we if our on with it be "
    "request days business fees fee password reset login sign redemption redeem arrives "
    "arrive statement download complaint process opening documents identity card regular "
    "investment plan dividend reinvest cash transfer custody bank change phone number "
    "frozen unfrozen large limit money market yield nav price update notice product "
    "prospectus contract agreement sign electronic email message branch advisor adviser "
    "suitability risk assessment questionnaire expired expiry result valid again complete "
    "failed cancel order units holding period closed open holiday cutoff today tomorrow "
    "expected delay check detail history print post address contact support hotline "
    "feedback survey verification code trading rate discount calculate charged settlement "
)
ZH_CHARACTERS = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]  # the tail's words
SYLLABLES = _words(
    "ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro "
    "ru sa se si so su ta te ti to tu va ve vi vo "
)
VOCABULARY = 8000  # words per language
ZIPF = 1.05


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    chinese: bool


class Corpus:
    """Articles in Chinese and English, alternately, reproducible from a seed."""

    def __init__(self, seed: int = 23) -> None:
        self.rng = random.Random(seed)
        self.languages = {
            True: self._vocabulary(ZH_WORDS, self._zh_word),
            False: self._vocabulary(EN_WORDS, self._en_word),
        }

    def articles(self, count: int) -> Iterator[Text]:
        for n in range(count):
            yield self._article(n % 2 == 0)

    def _vocabulary(
        self, real: list[str], make: Callable[[], str]
    ) -> tuple[list[str], list[float], list[str]]:
        """The real words spread over the first ranks (the first dozen, the function
        words, kept at the top), the made-up tail after them."""
        real = list(dict.fromkeys(real))  # once each
        words = real[:12]
        rest = list(real[12:])
        self.rng.shuffle(rest)
        seen = set(real)
        while len(words) < VOCABULARY:
            if rest and self.rng.random() < 0.25:
                words.append(rest.pop())
                continue
            word = make()
            if word not in seen:
                seen.add(word)
                words.append(word)
        words += rest
        weights = list(accumulate(1 / rank**ZIPF for rank in range(1, len(words) + 1)))
        return words, weights, real[12:]

    def _zh_word(self) -> str:
        return "".join(self.rng.choice(ZH_CHARACTERS) for _ in range(self.rng.choice((2, 2, 3))))

    def _en_word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4)))

    def _article(self, chinese: bool) -> Text:
        words, weights, real = self.languages[chinese]
        rng = self.rng
        # What the article is about: two of the desk's words, two of the tail's.
        topic = [*rng.sample(real, 2), *rng.sample(words[30:], 2)]
        length = rng.randint(120, 400)
        body = rng.choices(words, cum_weights=weights, k=length)
        for _ in range(length // 25):  # the topic recurs
            body[rng.randrange(length)] = rng.choice(topic)
        title = [*topic[:2], *rng.choices(words, cum_weights=weights, k=rng.randint(1, 3))]
        rng.shuffle(title)
        if chinese:
            sentences = ["".join(body[i : i + 9]) for i in range(0, length, 9)]
            return Text("".join(title), "，".join(sentences) + "。", True)
        sentences = [" ".join(body[i : i + 12]) for i in range(0, length, 12)]
        return Text(" ".join(title).capitalize(), ". ".join(sentences) + ".", False)
