"""Every main-screen action in the command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class PiyueCommands(Provider):
    def _actions(self) -> list[tuple[str, str, str]]:
        from tui.screens.main import MainScreen

        out = []
        for b in MainScreen.BINDINGS:
            if isinstance(b, Binding):
                key = b.key_display or b.key
                out.append((f"{b.description} ({key})", b.action, b.description))
        out += [
            ("Toggle layer: keywords", "toggle_layer('keywords')", "关键词"),
            ("Toggle layer: names", "toggle_layer('entities')", "人名地名机构"),
            ("Toggle layer: watch list", "toggle_layer('watch')", "关注词"),
            ("Toggle layer: search hits", "toggle_layer('hits')", "搜索命中"),
            ("Toggle layer: coded passages", "toggle_layer('passages')", "编码段落"),
            ("Add a watch-list term", "add_watch", "关注词"),
            ("Star / unstar the article (filter: is:starred)", "toggle_star", "星标"),
            ("Clear the filter", "clear_filter", "清除筛选"),
            ("Set the coder (who is coding)", "set_coder", "编码者"),
            ("Retrieve coded segments", "app.analysis('retrieval')", "检索编码段落"),
            ("Co-occurrence of codes (and a plot over dates)", "app.analysis('cooccur')", "共现"),
        ]
        return out

    async def _run(self, action: str) -> None:
        from tui.screens.main import MainScreen

        main = next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)
        if main is not None:
            await main.run_action(action)

    async def discover(self) -> Hits:
        for title, action, help_text in self._actions():
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._actions():
            score = max(matcher.match(title), matcher.match(help_text))
            if score > 0:
                yield Hit(
                    score, matcher.highlight(title), partial(self._run, action), help=help_text
                )
