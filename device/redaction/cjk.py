"""Street addresses and names written in Chinese, Japanese or Korean, by rule.

The NER model reads Latin script; these scripts write an address from the largest unit down to the
house number with no spaces ("北京市朝阳区建国路88号", "東京都千代田区丸の内1-9-1",
"서울특별시 강남구 테헤란로 152"), so a rule that walks the administrative units is reliable:
an address must end in a house number after a road (or a Japanese block number), not merely name a
city. Names are found where the script marks them: a Japanese or Korean honorific after them
("佐藤健一さん", "김민준님"), or a Chinese or Korean surname right after a word that introduces a person
("给王秀英写").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from device.redaction.detectors import Span

_HAN = r"\u4e00-\u9fff"
_KANA = r"\u3040-\u30ff"
_NUM = r"[0-9一二三四五六七八九十百]"
# Chinese: [province] [city] [district]* road + number (+ building/unit/room).
_ZH_RE = re.compile(
    r"(?:[" + _HAN + r"]{2,3}(?:省|自治区))?(?:[" + _HAN + r"]{2,3}[市州])?(?:[" + _HAN + r"]{1,4}(?:区|區|县|縣|镇|鎮|乡|鄉|新区))*"
    r"[" + _HAN + r"0-9]{1,8}?(?:路|街|大道|大街|道|巷|弄|胡同)(?:" + _NUM + r"+段)?(?:[0-9]+(?:巷|弄))*"
    r"[0-9]+(?:号|號)(?:[0-9]+(?:栋|棟|幢|号楼|號樓|单元|單元|楼|樓|层|層|室|F))*"
)
# Japanese: [prefecture] city/ward [town] block-number ("丸の内1-9-1", "梅田3丁目1番3号").
_JA_RE = re.compile(
    r"(?:[" + _HAN + r"]{2,3}(?:都|道|府|県))?[" + _HAN + _KANA + r"]{1,5}(?:市|区|町|村|郡)"
    r"(?:[" + _HAN + _KANA + r"]{1,5}(?:区|町|村))?[" + _HAN + _KANA + r"]{0,6}?"
    r"[0-9]{1,4}(?:丁目|-|−|－)[0-9]{1,4}(?:番地?|-|−|－)?(?:[0-9]{1,4}(?:号)?)?"
)
# Korean: [metropolitan city/province] [city/district]* road + number.
_KO_RE = re.compile(
    r"(?:[가-힣]{2,}(?:특별시|광역시|특별자치시|특별자치도|도)\s*)?(?:[가-힣]{1,}(?:시|군|구)\s*){1,3}"
    r"[가-힣0-9]{1,}(?:로|길|대로)\s*[0-9]{1,5}(?:-[0-9]{1,5})?(?:번길\s*[0-9]{1,5})?"
)
# Words before an address that the greedy walk takes in ("寄到北京市": "到" is no part of it).
_LEADING_PARTICLES = "到在是住寄于往给把为由从向"

_JA_HONORIFIC_RE = re.compile(r"([" + _HAN + r"]{2,4}|[" + _KANA + r"]{2,6})(?:さん|様|さま|くん|ちゃん|先生|氏|殿)")
_KO_SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용"
_KO_NAME_RE = re.compile(r"(?<![가-힣])([" + _KO_SURNAMES + r"][가-힣]{1,2})(?:님|씨|선생님|께|에게|한테)")
_ZH_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
                "張劉陳楊黃趙吳許韓馮鄧蔣葉蘇呂盧鍾譚陸賈韋鄒龍陶顧龔錢嚴湯")
# After a word that introduces a person: "给/和/跟/告诉/通知/问/叫/请" + surname + one or two characters.
_ZH_NAME_RE = re.compile(r"(?:给|和|跟|告诉|通知|问|叫|请|帮|替|向|找|联系|感谢|谢谢)([" + _ZH_SURNAMES + r"][" + _HAN + r"]{1,2}?)"
                         r"(?=写|发|打|说|回|送|的|先生|女士|小姐|老师|医生|，|,|。|\s|$)")
_ZH_TITLE_RE = re.compile(r"([" + _ZH_SURNAMES + r"][" + _HAN + r"]{1,2}?)(?:先生|女士|小姐|老师|医生|教授|经理|經理)")


def find_cjk_addresses(text: str) -> Iterator[Span]:
    if not re.search(r"[" + _HAN + r"가-힣]", text):
        return
    for pattern in (_ZH_RE, _JA_RE, _KO_RE):
        for m in pattern.finditer(text):
            start = m.start()
            while start < m.end() - 1 and text[start] in _LEADING_PARTICLES:
                start += 1
            yield Span("STREET_ADDRESS", start, m.end())


def find_cjk_names(text: str) -> Iterator[Span]:
    if not re.search(r"[" + _HAN + _KANA + r"가-힣]", text):
        return
    for pattern in (_JA_HONORIFIC_RE, _KO_NAME_RE, _ZH_NAME_RE, _ZH_TITLE_RE):
        for m in pattern.finditer(text):
            yield Span("PERSON", m.start(1), m.end(1))
