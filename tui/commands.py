"""Every main-screen action in the command palette (ctrl+p), findable by its English and its
Chinese words, with its key as typed (``?``, not ``question_mark``)."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.keys import format_key

ZH = {
    "quit": "退出",
    "help": "帮助 按键",
    "search": "搜索",
    "tag": "标签 编码",
    "untag": "删除标签 取消编码",
    "note": "笔记 备注",
    "visual": "选择段落 标记段落",
    "cancel": "取消选择",
    "delete_passage": "删除编码段落",
    "passages": "编码段落列表",
    "resize_passage": "调整段落范围",
    "filter": "筛选",
    "toggle_read": "已读 未读",
    "undo": "撤销",
    "redo": "重做",
    "next_article": "下一篇文章",
    "prev_article": "上一篇文章",
    "next_hit": "下一个命中",
    "prev_hit": "上一个命中",
    "toggle_boundaries": "词界 分词",
    "layers": "高亮图层",
    "orphans": "孤儿编码 挂到本文 orphans attach re-attach lost codings",
    "merge_next": "与下一篇合并",
    "split_here": "在此拆分文章",
    "mark_caption": "标为图片说明",
    "toggle_star": "星标",
    "export": "导出",
    "jump_date": "跳到日期",
    "agreement": "编码者一致性",
    "toggle_blind": "盲编码 所有编码者",
    "narrower": "列表变窄",
    "wider": "列表变宽",
    "pane_next": "下一个窗格",
    "pane_prev": "上一个窗格",
    "codebook": "代码本",
    "concordance": "语境索引",
    "terms": "关键术语 术语 人名 地名 机构 拒绝",
    "refresh": "刷新 重新读取 索引 reload rescan reindex index",
    **{f"quick_tag_{i}": f"快捷标签 {i}" for i in range(1, 10)},
}
"""The Chinese name of each main-screen binding, by its id."""

EXTRA = [
    ("Toggle layer: keywords", "关键词图层", "toggle_layer('keywords')"),
    ("Toggle layer: names", "人名地名机构图层", "toggle_layer('entities')"),
    ("Toggle layer: watch list", "关注词图层", "toggle_layer('watch')"),
    ("Toggle layer: search hits", "搜索命中图层", "toggle_layer('hits')"),
    ("Toggle layer: coded passages", "编码段落图层", "toggle_layer('passages')"),
    ("Add a watch-list term", "添加关注词", "add_watch"),
    ("Clear the filter", "清除筛选", "clear_filter"),
    ("Set the coder (who is coding)", "设置编码者", "set_coder"),
    ("Retrieve coded segments", "检索编码段落", "app.analysis('retrieval')"),
    ("Co-occurrence of codes (and a plot over dates)", "代码共现", "app.analysis('cooccur')"),
]
"""Commands with no key: English, Chinese, action."""

FIRST = {"coder": "set_coder", "编码者": "set_coder", "设置编码者": "set_coder"}
"""A word typed whole that names one command first: "coder" matched "Blind / all coders"
best, so ``coder`` Enter toggled blind mode instead of setting the coder."""


def key_display(binding: Binding) -> str:
    """The key as the footer shows it (``?``, ``]``, ``^r``): what the user types."""
    if binding.key_display:
        return binding.key_display
    modifiers, key = binding.parse_key()
    shown = format_key(key)
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        shown = f"^{shown}"
    return "+".join([*modifiers, shown])


class PiyueCommands(Provider):
    def _actions(self) -> list[tuple[str, str, str]]:
        """(title, action, help) of each command: the title has both languages and the key."""
        from tui.screens.main import MainScreen

        out = []
        for b in MainScreen.BINDINGS:
            if isinstance(b, Binding):
                zh = ZH.get(b.id or "", "")
                title = " ".join(w for w in (b.description, zh, f"({key_display(b)})") if w)
                out.append((title, b.action, zh))
        out += [(f"{en} {zh}", action, zh) for en, zh, action in EXTRA]
        return out

    async def _run(self, action: str) -> None:
        from tui.screens.main import MainScreen

        main = next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)
        if main is not None:
            await main.run_action(action)

    async def discover(self) -> Hits:
        for title, action, _zh in self._actions():
            yield DiscoveryHit(title, partial(self._run, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        first = FIRST.get(query.strip().casefold())
        for title, action, _zh in self._actions():
            score = matcher.match(title)
            if score > 0 and action == first:
                score += 100.0
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action))
