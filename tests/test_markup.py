from lib.text.markup import escape, highlight

PAYLOAD = (
    'Hi <script>window.pwned=1</script><img src=x onerror="window.pwned=1"> '
    "[x](javascript:alert(1)) $x$ **b**"
)


def test_escape_neutralises_html_and_markdown():
    out = escape(PAYLOAD)
    for dangerous in ("<script", "<img", "](", "$", "**"):
        assert dangerous not in out
    assert "&lt;script&gt;" in out


def test_highlight_marks_query_words_and_inflections_only():
    out = highlight("Missiles were launched; the launch failed.", "missile launch")
    assert out.count("<mark>") == 3
    assert "<mark>Missiles</mark>" in out and "<mark>launched</mark>" in out
    assert "the" in out and "<mark>the</mark>" not in out


def test_highlight_never_lets_corpus_markup_through():
    out = highlight(PAYLOAD, "script onerror")
    assert "<script" not in out and "<img" not in out
    assert "<mark>script</mark>" in out


def test_the_best_sentence_is_shaded_around_escaped_text():
    text = "Talks stalled. <b>Kim</b> tested a missile on Thursday. Markets shrugged."
    out = highlight(text, "missile", (15, 55))
    assert out.count('class="why-matched"') == 1 and "<mark>missile</mark>" in out
    shaded = out.split('class="why-matched"')[1]
    assert shaded.index("&lt;b&gt;Kim") < shaded.index("</span>") and "<b>" not in out
    assert highlight(text, "missile", (0, 0)) == highlight(text, "missile")
