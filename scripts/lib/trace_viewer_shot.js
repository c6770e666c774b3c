// Screenshot of a Chrome trace-event JSON in speedscope (static build served on localhost),
// driven by playwright-core in headless Chromium. Used by scripts/screenshots, which installs
// playwright-core and sets NODE_PATH.
//   node trace_viewer_shot.js URL OUT.png TRACK...
// URL: speedscope's index.html with #profileURL=...; each TRACK selects one thread (speedscope
// shows one pid/tid at a time; 't' opens its profile filter). Per track, the top strip (toolbar
// naming the track, overview, first row, the first span's tooltip) is saved as OUT-N.png for
// the caller to stack. A TRACK written "sandwich:NAME" is shown in speedscope's Sandwich view
// instead (a table of span names with their total and self time), for tracks whose spans are
// too short to read on the time axis (commands take a few ns).
const { chromium } = require('playwright-core');
const [url, out, ...tracks] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url);
  // The import is done when the toolbar names the first profile ("(1/N)").
  await page.waitForFunction(() => /\(\d+\/\d+\)/.test(document.body.innerText), null,
                             { timeout: 60000 });
  for (const [i, arg] of tracks.entries()) {
    const sandwich = arg.startsWith('sandwich:');
    const track = sandwich ? arg.slice('sandwich:'.length) : arg;
    await page.mouse.move(800, 900);
    await page.keyboard.press('1');  // Time Order view
    await page.keyboard.press('t');
    await page.waitForTimeout(300);
    await page.keyboard.type(track);
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    const text = await page.evaluate(() => document.body.innerText);
    if (!text.includes(track)) throw new Error(`track "${track}" not selected`);
    if (sandwich) {
      await page.keyboard.press('3');
    } else {
      // A profile starts at its first span: hover it so its name, duration and args show.
      await page.mouse.move(4, 152);
    }
    await page.waitForTimeout(800);
    await page.screenshot({ path: out.replace(/\.png$/, `-${i}.png`),
                            clip: { x: 0, y: 0, width: 1600, height: sandwich ? 290 : 200 } });
  }
  await browser.close();
})().catch(e => { console.error('trace_viewer_shot:', e.message); process.exit(1); });
