"""Run by the installed copy's own Python, from outside the checkout: open a tracker under
Pilot, and print where sscp_tui was imported from and the text of the first screen."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from datetime import date


async def main(database: str, as_of: str) -> None:
    import sscp_tui
    from sscp_tui.cli import quick_app
    from sscp_tui.config import Settings

    print(f"imported from {sscp_tui.__file__}")
    app = quick_app(database, Settings(author="Install check"), date.fromisoformat(as_of))
    assert app is not None, "the tracker was not opened the quick way"
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screenshot = app.export_screenshot()
        print(f"screen {type(app.screen).__name__}")
        await pilot.press("f3")  # the log, read through the store opened behind the first screen
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        print(f"screen {type(app.screen).__name__}")
        log_shot = app.export_screenshot()
    app.close_tracker()
    for shot in (screenshot, log_shot):
        for line in re.findall(r"<text[^>]*>(.*?)</text>", shot):
            print(html.unescape(line).replace("\xa0", " "))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
