/** Debian's chromium (`apt-get install chromium`), which playwright-core drives; CHROMIUM names another. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
