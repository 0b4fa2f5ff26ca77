"""Coders: who codes (asked once on the first start, shown on the status line), blind
coding (others' codings hidden until revealed), and agreement between two coders."""

from __future__ import annotations

from storage import state
from tui.screens.base import ScreenBase, dialogs


class CoderActions(ScreenBase):
    def coder_status(self) -> None:
        from tui.widgets.statusline import StatusLine
        from workspace.coders import is_blind

        blind = "盲 blind" if is_blind(self.ws) else "全部 all coders"
        self.query_one(StatusLine).show_coder(f"编码者 {self.ws.store.coder} · {blind}")

    def settle_coder(self) -> None:
        """On opening: the coder the workspace chose (``chosen_coder``: the flag, the
        environment, the one named before), or ask once (first start)."""
        store = self.ws.store
        self.coder_status()
        if self.ws.coder_chosen or store.readonly:
            return

        def named(name: str | None) -> None:
            if name is None:  # Esc: not answered, so asked again next time (not "root")
                return
            name = name.strip() or store.coder
            if self.guard(lambda: store.set_coder(name)):
                state.remember_coder(name)
                self.coder_status()
                self.refresh_issues()  # the tree's ✓/● are the coder's
                self.after_change()

        question = dialogs().InputDialog(
            "编码者 Who is coding?",
            store.coder,
            "每个编码记录编码者 every coding records its coder (--coder / $PIYUE_CODER)",
        )
        question.unbidden = True  # what was typed before it showed goes to the reader after
        self.app.push_screen(question, named)

    def action_set_coder(self) -> None:
        store = self.ws.store

        def named(name: str | None) -> None:
            if name and name.strip() and self.guard(lambda: store.set_coder(name.strip())):
                if not store.readonly:
                    state.remember_coder(name.strip())
                self.coder_status()
                self.refresh_issues()  # the tree's ✓/● were the previous coder's
                self.after_change()

        self.app.push_screen(
            dialogs().InputDialog("编码者 Code as", store.coder, "every coding records its coder"),
            named,
        )

    def action_toggle_blind(self) -> None:
        """``B``: show every coder's codings, or only yours (blind coding) again."""
        from workspace.coders import is_blind, reveal

        reveal(self.ws, is_blind(self.ws))
        self.coder_status()
        self.refresh_issues()
        self.after_change()
        self.notify(
            "盲编码 blind: only your codings" if is_blind(self.ws) else "显示所有编码者 all coders"
        )

    def action_agreement(self) -> None:
        """``A``: agreement between two coders (then ``d`` for the disagreements)."""
        from workspace.coders import coder_list

        coders = [c.name for c in coder_list(self.ws) if c.tags or c.passages or c.read]
        if len(coders) < 2:
            self.notify("需要两个编码者 agreement needs two coders (import another's export)")
            return

        def second(a: str | None) -> None:
            if not a:
                return

            def go(b: str | None) -> None:
                if b:
                    from tui.screens.agreement import AgreementScreen

                    self.app.push_screen(
                        AgreementScreen(self.ws, a, b), lambda _r: self.after_change()
                    )

            self.app.push_screen(
                dialogs().PickDialog(f"编码者 B (与 {a} 比较)", [(c, c) for c in coders if c != a]),
                go,
            )

        self.app.push_screen(
            dialogs().PickDialog("编码者 A Coder A", [(c, c) for c in coders]), second
        )
