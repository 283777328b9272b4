/**
 * Debian's Chromium, headless, for the browser tests (installed by `make test`). The flags
 * keep it off the network: this machine has none, and Chromium's background calls would fail.
 */
import { chromium, type Browser } from 'playwright-core';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
