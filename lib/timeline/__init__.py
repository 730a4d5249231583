"""What happened when: time-expression mentions and events merged across articles (`events`),
and the timeline a page or command shows (`view`: filters, sources, chart rows). Imports
`lib.entities` and below.
"""
