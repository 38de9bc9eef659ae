"""``casekit serve``: the offline viewer of a course on 127.0.0.1, rebuilt as the author writes.

``site`` builds what the viewer needs (only the viewer: no PDF, EPUB or DOCX) into
memory, reusing the build cache so an edit re-parses one lesson; ``server``
serves the last good build and nothing else, and tells pages over server-sent
events when a new build is ready or a change broke the course; ``live.js``
(casekit's own, served at one exact path, never part of a build) reloads the
page or shows the diagnostics over it.
"""

#: the server's own paths: never a path of the viewer
LIVE_SCRIPT = "/_casekit/live.js"
EVENTS = "/_casekit/events"
