"""What a printed dashboard adds to its widgets: the legend of signs of every table it
shows. Pure: from the widgets' rendered results."""


def signs_of(results):
    """The signs' meanings for all tables drawn, each line once, in order of appearance."""
    lines = {}
    for result in results:
        for line in result.get("signs", []):
            lines.setdefault(line, None)
    return list(lines)
