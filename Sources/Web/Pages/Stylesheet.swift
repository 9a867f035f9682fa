/// The one stylesheet: a type scale of 1.2, a spacing scale of quarter rems, a table style with
/// sticky headers and zebra rows, badges for states, security and standing colours as the game
/// has them, and one column on a phone. Images have a grey ground so missing ones keep shape.
enum Stylesheet {
    static let css = """
        :root { --fg: #1b2129; --muted: #5d6977; --line: #dde3ea; --zebra: #f6f8fa; --ground: #ffffff;
                --accent: #2563a8; --bad: #b42318; --ok: #137a3f; --warn: #9a5b00; --info: #38546f;
                --s1: .25rem; --s2: .5rem; --s3: .75rem; --s4: 1rem; --s6: 1.5rem; --s8: 2rem;
                --t-sm: .833rem; --t-base: 1rem; --t-md: 1.2rem; --t-lg: 1.44rem; --t-xl: 1.728rem; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
               background: #eef1f5; }
        a { color: var(--accent); }
        header { display: flex; flex-wrap: wrap; gap: var(--s3); align-items: center; padding: var(--s2) var(--s4);
                 background: #121821; color: #fff; }
        header a { color: #dbe4ee; text-decoration: none; }
        header a:hover { color: #fff; }
        header .brand { font-weight: 700; font-size: var(--t-md); margin-right: var(--s4); color: #fff; }
        header nav { display: flex; gap: var(--s4); flex: 1; flex-wrap: wrap; align-items: center; }
        header .who { color: #b8c4d1; }
        header .count { display: inline-block; min-width: 1.3rem; padding: 0 .35rem; margin-left: .2rem; border-radius: 9px;
                        background: var(--bad); color: #fff; font-size: var(--t-sm); text-align: center; }
        main { padding: var(--s6) var(--s4); max-width: 1240px; margin: 0 auto; }
        main > h1 { font-size: var(--t-xl); margin: 0 0 var(--s4); font-weight: 650; }
        h2 { font-size: var(--t-lg); margin: var(--s8) 0 var(--s3); font-weight: 600; }
        h3 { font-size: var(--t-md); margin: var(--s6) 0 var(--s2); }
        .sheet, .card, .panel { background: var(--ground); border: 1px solid var(--line); border-radius: 8px; }
        table { border-collapse: separate; border-spacing: 0; width: 100%; margin: var(--s2) 0 var(--s4);
                font-size: .92rem; background: var(--ground); }
        th, td { border-bottom: 1px solid var(--line); padding: var(--s1) var(--s2); text-align: left; vertical-align: top; }
        thead th { position: sticky; top: 0; background: #e8edf3; z-index: 1; font-weight: 600; white-space: nowrap; }
        tbody tr:nth-child(even) td { background: var(--zebra); }
        tbody tr:hover td { background: #eaf2fb; }
        th a { color: inherit; text-decoration: none; }
        td.num, .num { text-align: right; font-variant-numeric: tabular-nums; }
        span.num { text-align: inherit; }
        time { white-space: nowrap; }
        /* Wide tables scroll sideways on a phone only: a scrolling box would hold the sticky headers. */
        .scroll { max-width: 100%; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(290px, 1fr)); gap: var(--s4); }
        .card { padding: var(--s3); }
        .card img.portrait { float: left; margin-right: var(--s3); }
        .card h2 { font-size: var(--t-md); margin: 0 0 var(--s1); }
        .card > div { margin-top: var(--s1); }
        .card a, .card form.inline { margin-right: var(--s2); }
        /* Sizes are fixed in the markup; an image that cannot load keeps its box, without its alt text. */
        img { display: inline-block; background: #d5dce4; border-radius: 4px; vertical-align: middle; overflow: hidden;
              color: transparent; font-size: 0; }
        img.portrait { border-radius: 6px; }
        .sheet { display: grid; grid-template-columns: minmax(260px, 1fr) 2fr; gap: var(--s6); padding: var(--s4); }
        .identity { display: flex; gap: var(--s4); align-items: flex-start; }
        .identity h2 { margin: 0 0 var(--s2); }
        .org { margin: var(--s1) 0; }
        .links { display: flex; gap: var(--s3); margin-top: var(--s2); font-size: var(--t-sm); }
        .muted { color: var(--muted); }
        .bad { color: var(--bad); }
        .ok { color: var(--ok); }
        .badge { display: inline-block; padding: .05rem .45rem; border-radius: 999px; font-size: var(--t-sm);
                 font-weight: 600; vertical-align: middle; border: 1px solid transparent; white-space: nowrap; }
        .badge-ok { background: #e3f5ea; color: var(--ok); border-color: #b7e2c6; }
        .badge-stale { background: #fff4df; color: var(--warn); border-color: #f2d19a; }
        .badge-failing, .badge-token { background: #fde8e6; color: var(--bad); border-color: #f4bcb6; }
        .badge-omega { background: #efe7fb; color: #5b34a0; border-color: #d5c3f1; }
        .badge-info { background: #e7eef6; color: var(--info); border-color: #c6d5e6; }
        .sec { font-weight: 700; font-variant-numeric: tabular-nums; }
        .sec-high { color: #2c8a3e; } .sec-low { color: #c46a00; } .sec-null { color: #c0262d; }
        .standing-good { color: #2b63c6; } .standing-bad { color: #c0262d; } .standing-neutral { color: var(--muted); }
        .tabs { display: flex; flex-wrap: wrap; gap: var(--s1); margin: 0 0 var(--s4); padding: 0; list-style: none; }
        .tabs a { display: inline-block; padding: var(--s1) var(--s2); border-radius: 6px; text-decoration: none;
                  background: var(--ground); border: 1px solid var(--line); font-size: .9rem; }
        .tabs a.current { background: var(--accent); color: #fff; border-color: var(--accent); }
        .tabs .marker { color: #fff; background: var(--bad); border-radius: 50%; padding: 0 .35rem; font-weight: 700; }
        form.inline { display: inline; }
        input, select, textarea { font: inherit; padding: .25rem .45rem; border: 1px solid #c4ced9; border-radius: 5px; }
        button { font: inherit; padding: .25rem .7rem; border: 1px solid #c4ced9; border-radius: 5px;
                 background: #f7f9fb; cursor: pointer; }
        button:hover { background: #eaf0f6; }
        button.danger { color: var(--bad); border-color: #f0b8b2; }
        button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
        .fields { display: grid; grid-template-columns: max-content 1fr; gap: var(--s2) var(--s4); margin: 0; }
        .fields dt { color: var(--muted); }
        .fields dd { margin: 0; }
        .totals { display: flex; flex-wrap: wrap; gap: var(--s6); margin-bottom: var(--s4); }
        .pager { display: flex; gap: var(--s4); align-items: center; }
        .status { margin-top: var(--s4); }
        .panel { padding: var(--s4); }
        .editor label { display: block; margin-bottom: var(--s3); }
        .editor textarea, textarea.plan { display: block; width: 100%; font-family: ui-monospace, monospace; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 var(--s3); }
        tfoot th, tfoot td { border-top: 2px solid var(--line); }
        .markup { border-left: 3px solid var(--line); padding-left: var(--s3); }
        svg.chart { width: 100%; height: 220px; background: #fbfcfd; border: 1px solid var(--line); }
        @media (max-width: 760px) {
            main { padding: var(--s3) var(--s2); }
            .sheet { grid-template-columns: 1fr; }
            .fields { grid-template-columns: 1fr; gap: 0 var(--s4); }
            .fields dd { margin-bottom: var(--s2); }
            .scroll { overflow-x: auto; }
        }
        """
}
