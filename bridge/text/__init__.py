"""Reading text as people wrote it: visible words of Markdown, its language, its facts
(figures, dates, addresses), its length as the marketplace counts it, and how alike two texts
are. Pure functions with no database; the rules, the translations and the adapters use them."""
