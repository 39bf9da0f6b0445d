"""A browser test's steps, each leaving a screenshot: artifacts/screenshots/<test name>/
<nn>-<step>.png (the folder is made, and emptied, when the test starts)."""

from __future__ import annotations

import shutil
import time
from typing import Any

from tests.console.browser import SCREENSHOTS, Served, literal
from tests.console.test_browser import Page


class Steps(Page):
    def __init__(self, driver: Any, served: Served, test_name: str) -> None:
        super().__init__(driver, served, test_name)
        self.folder = SCREENSHOTS / test_name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def shot(self, name: str) -> None:
        time.sleep(0.4)  # let transitions finish
        if name == "failed":
            self.driver.save_screenshot(str(self.folder / "failed.png"))
            return
        self.count += 1
        self.driver.save_screenshot(str(self.folder / f"{self.count:02d}-{name}.png"))

    def choose(self, label: str, option: str) -> None:
        """Pick ``option`` in the select labelled ``label``."""
        self.retry(
            lambda: self.visible(
                "//label[contains(@class,'q-field')][.//*[contains(@class,'q-field__label') and "
                f"contains(normalize-space(.), {literal(label)})]]"
            ).click()
        )
        self.retry(
            lambda: self.visible(
                "//div[contains(@class,'q-menu')]//div[contains(@class,'q-item')]"
                f"[contains(normalize-space(.), {literal(option)})]"
            ).click()
        )

    def click_in(self, card: str, button: str) -> None:
        """Click ``button`` in the card that shows ``card`` (one catalog entry)."""
        self.retry(
            lambda: self.visible(
                f"//div[contains(@class,'q-card')][.//*[normalize-space(.)={literal(card)}]]"
                f"//button[contains(normalize-space(.), {literal(button)})]"
            ).click()
        )

    def type_nth(self, label: str, index: int, text: str) -> None:
        """Type in the ``index``-th visible input labelled ``label`` (tier rows repeat them)."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        xpath = (
            "//label[contains(@class,'q-field')][.//*[contains(@class,'q-field__label') and "
            f"contains(normalize-space(.), {literal(label)})]]//input"
        )

        def typing() -> None:
            found = [e for e in self.driver.find_elements(By.XPATH, xpath) if e.is_displayed()]
            element = found[index]
            element.send_keys(Keys.CONTROL, "a")
            element.send_keys(Keys.DELETE)
            element.send_keys(text)

        self.retry(typing)

    def log_in_admin(self, credentials: tuple[str, str]) -> None:
        self.served.cli("create-admin", "--email", credentials[0], "--password", credentials[1])
        self.log_in(credentials)
        self.see("Credits outstanding")
