"""Assessment forms: definitions as data, versions, responses, scoring, filling in and editing.

Layout: `definition` (the typed model), `reader` and `writer` (document ⇄ model), `yamlio`
(YAML with line numbers), `compile` (expressions checked and compiled), `answers` and `evaluate`
(one answer; a whole response), `models`, `operations` (definitions and versions), `responses`
(filling in), `queries`, `editor` and `panel` (draft edits), `fill` and `widgets` (what the
screens show), `api` (for other features), `fill_views`, `admin_views` and `blueprint` (the thin
HTTP layer), `instruments/` (standard forms)."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from dolbom.forms.answers import display
    from dolbom.forms.fill import choices_of

    app.add_template_global(choices_of, "choices_of")
    app.add_template_global(display, "display_answer")
