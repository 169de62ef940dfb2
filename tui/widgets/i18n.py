"""The app's own words in both languages, and how bilingual bank text is shown.

Labels are written where they are used as ``tr(lang, english, chinese)`` so a
reader sees both at once; footer descriptions are translated through
``BINDING_ZH`` because Textual reads them from the ``BINDINGS`` class lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from tui.widgets.markup import escape

if TYPE_CHECKING:
    from questions.model import Text, TextList

UiLang = Literal["zh", "en"]


def tr(lang: UiLang, english: str, chinese: str) -> str:
    return chinese if lang == "zh" else english


# Footer descriptions in Chinese, keyed by the English description in BINDINGS.
BINDING_ZH: dict[str, str] = {
    "Quit": "退出",
    "Help": "帮助",
    "Back": "返回",
    "Language": "语言",
    "Review": "复习",
    "Choice": "选择题",
    "Mock": "模拟面试",
    "Browse": "浏览",
    "Verify": "验证",
    "Stats": "统计",
    "Settings": "设置",
    "Reveal": "显示答案",
    "Again": "重来",
    "Hard": "困难",
    "Good": "良好",
    "Easy": "简单",
    "Undo": "撤销",
    "Type": "输入答案",
    "Prove it": "证明",
    "Whole answer": "完整答案",
    "Skip": "跳过",
    "Submit": "提交",
    "Next": "下一题",
    "Check": "勾选",
    "Finish": "结束",
    "Search": "搜索",
    "Results": "结果列表",
    "Mark": "标记",
    "Filters": "筛选",
    "Clear": "清除",
    "Open": "打开",
    "Run": "运行",
    "Run all": "全部运行",
    "Select": "选择",
    "Cancel": "取消",
    "Save": "保存",
    "Continue": "继续",
    "Export": "导出",
    "Cram": "强化",
    "Start": "开始",
    "Follow-up": "追问",
    "Run marked": "运行所选",
    "Plots": "图表",
    "Random": "随机",
    "Drills": "编码练习",
    "Edit": "编辑",
    "Check code": "检查代码",
    "Hint": "提示",
    "Solution": "参考答案",
    "Page down": "向下翻页",
    "Page up": "向上翻页",
    "Yes": "是",
    "No": "否",
    "Flip tick": "切换勾选",
    "Confirm": "确认",
    "Tick": "勾选",
}


def bilingual(text: "Text", language: str, *, plain: bool = False) -> str:
    """Bank text as markup: one language, or Chinese with the English below it, dimmed."""
    from tui.widgets.mathtext import readable

    zh, en = readable(text.zh), readable(text.en)
    if not plain:
        zh, en = escape(zh), escape(en)
    if language == "zh":
        return zh
    if language == "en":
        return en
    if plain:
        return f"{zh}\n{en}"
    return f"{zh}\n[dim]{en}[/]"


def bilingual_items(items: "TextList", language: str) -> list[str]:
    """Each item of a bilingual list as markup, paired line by line in 'both'."""
    from questions.model import Text

    return [bilingual(Text(zh=zh, en=en), language) for zh, en in zip(items.zh, items.en)]
