//! The scan as one self-contained HTML page a person would want to open.
//!
//! Everything is inline (CSS, a small vanilla script, no fonts, images or other URLs); a
//! Content-Security-Policy forbids loading anything else, so the page is safe to open from CI
//! artifacts. Every value from the report is HTML-escaped; references become links only when
//! they are `http(s)` URLs (with `rel="noreferrer noopener"`), anything else is shown as text.
//!
//! Sections: header (target, image, OS with its end-of-life state, base image, database age),
//! notices banner, summary cards by severity (plus fixable and suppressed), the base image vs
//! own layers split (bar and a severity matrix), filters (severities, origin, fixable only,
//! free-text search), the sortable findings table with an expandable details block per
//! finding (description, aliases, CVSS vectors, EPSS, KEV, fix advisories, references, the
//! layer and its `created_by`), license findings, then collapsed sections for suppressed
//! findings with their reasons, layers, the package inventory and cataloguing warnings.
//!
//! Without JavaScript every row is visible and the filter bar stays hidden (it would do
//! nothing); details still expand (`<details>`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::util::{self, SEVERITIES};
use super::{LicenseFinding, NoticeLevel, Origin, ScanReport, SeverityCounts, VulnFinding};
use crate::junit::esc as h;
use crate::Severity;

const CSS: &str = r#"
:root{--bg:#f6f7f9;--fg:#1f2328;--muted:#656d76;--card:#fff;--line:#d8dee4;--head:#0f172a;--headfg:#e2e8f0;
--crit:#b42318;--high:#e8590c;--med:#d4a106;--low:#2f6fdd;--unk:#8c959f;--base:#6e56cf;--own:#0e9f6e;--unkorigin:#afb8c1;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--card:#161b22;--line:#30363d;--head:#010409;--link:#4493f8}}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
a{color:var(--link)}
header.top{background:var(--head);color:var(--headfg);padding:20px 32px 18px}
header.top .brand{font-size:12px;letter-spacing:.12em;text-transform:uppercase;opacity:.7}
header.top h1{margin:4px 0 12px;font-size:22px;font-weight:600;word-break:break-all}
dl.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:6px 28px;margin:0}
dl.meta div{min-width:0}dl.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;opacity:.65}
dl.meta dd{margin:0;word-break:break-all}
main{padding:20px 32px 40px;max-width:1500px}
h2{font-size:16px;margin:0 0 10px}
section{margin:0 0 22px}
.notice{border-radius:6px;padding:10px 14px;margin:0 0 8px;border:1px solid;display:flex;gap:10px;align-items:baseline}
.notice.warning{background:#fff4e5;border-color:#f0b35a;color:#5c3b00}
.notice.info{background:#eef6ff;border-color:#9cc3f5;color:#0b3b73}
.notice .code{margin-left:auto;opacity:.7}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:11.5px;font-weight:600;vertical-align:1px}
.badge.eol{background:var(--crit);color:#fff}.badge.ok{background:#2da44e;color:#fff}
.kev{background:#6f1d8f;color:#fff;border-radius:3px;padding:0 4px;font-size:10.5px;font-weight:700;margin-left:4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-top:4px solid var(--unk);border-radius:8px;padding:10px 14px}
.card .n{display:block;font-size:28px;font-weight:700;line-height:1.1}.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.card.CRITICAL{border-top-color:var(--crit)}.card.HIGH{border-top-color:var(--high)}.card.MEDIUM{border-top-color:var(--med)}.card.LOW{border-top-color:var(--low)}
.card.neutral{border-top-color:var(--line)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.split{display:grid;grid-template-columns:minmax(260px,1fr) minmax(320px,1.2fr);gap:20px;align-items:start}
.bar{display:flex;height:18px;border-radius:9px;overflow:hidden;background:var(--line);margin:6px 0 10px}
.bar span{display:block;height:100%}.bar .base{background:var(--base)}.bar .own{background:var(--own)}.bar .unknown{background:var(--unkorigin)}
.legend{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:6px 18px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.legend i.base{background:var(--base)}.legend i.own{background:var(--own)}.legend i.unknown{background:var(--unkorigin)}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11.5px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);white-space:nowrap;background:var(--card);position:sticky;top:0}
th.sortable{cursor:pointer;user-select:none}th.sortable:hover{color:var(--fg)}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
.matrix td,.matrix th{text-align:right}.matrix td:first-child,.matrix th:first-child{text-align:left}
.tablewrap{border:1px solid var(--line);border-radius:8px;overflow:auto}
.tablewrap table{border:0}
tbody tr:hover{background:rgba(127,127,127,.06)}
.sev{display:inline-block;min-width:74px;text-align:center;border-radius:4px;padding:1px 6px;font-size:11.5px;font-weight:700;color:#fff}
.sev.CRITICAL{background:var(--crit)}.sev.HIGH{background:var(--high)}.sev.MEDIUM{background:var(--med);color:#1f1600}.sev.LOW{background:var(--low)}.sev.UNKNOWN{background:var(--unk)}
.sub{display:block;color:var(--muted);font-size:12px;word-break:break-all}
.origin{white-space:nowrap}.origin i{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px}
.origin.base i{background:var(--base)}.origin.own i{background:var(--own)}.origin.unknown i{background:var(--unkorigin)}
td.ver{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all;max-width:220px}
td.fixed{color:#1a7f37}
details.finding summary{cursor:pointer;list-style:none}details.finding summary::-webkit-details-marker{display:none}
details.finding summary::before{content:"\25B8";display:inline-block;width:14px;color:var(--muted)}
details.finding[open] summary::before{content:"\25BE"}
details.finding .id{font-weight:600}details.finding .t{display:block;margin-left:14px;color:var(--fg)}
.detail{margin:8px 0 4px 14px;padding:10px 12px;border-left:3px solid var(--line);background:rgba(127,127,127,.05);border-radius:0 6px 6px 0}
.detail p{margin:0 0 8px}
.detail dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
.detail dt{color:var(--muted)}.detail dd{margin:0;word-break:break-word}
.detail ul{margin:0;padding-left:18px}
.detail table{width:auto;background:transparent}.detail td,.detail th{padding:2px 8px 2px 0;border:0;position:static;white-space:nowrap}
.detail td:last-child{white-space:normal;word-break:break-all}
td.vuln{min-width:340px}
.filters{display:flex;flex-wrap:wrap;gap:10px 22px;align-items:center;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:0 0 10px}
.filters fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;align-items:center}
.filters legend{float:left;margin-right:6px;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.filters label{white-space:nowrap;cursor:pointer}
.filters input[type=search]{flex:1;min-width:220px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);font:inherit}
#shown{color:var(--muted);font-size:12px}
details.section{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0 0 14px}
details.section>summary{cursor:pointer;padding:10px 14px;font-weight:600}
details.section>div{padding:0 14px 14px;overflow:auto}
.empty{color:var(--muted);padding:14px}
footer{color:var(--muted);font-size:12px;padding:0 32px 30px}
"#;

const JS: &str = r#"
(function(){
  var form=document.getElementById('filters');
  var table=document.getElementById('findings');
  if(!form||!table)return;
  form.hidden=false;
  var tbody=table.tBodies[0];
  var rows=Array.prototype.slice.call(tbody.rows);
  var shown=document.getElementById('shown'),none=document.getElementById('none');
  function checked(name){var m={};Array.prototype.forEach.call(form.querySelectorAll('input[name='+name+']'),function(c){m[c.value]=c.checked;});return m;}
  function apply(){
    var sev=checked('sev'),org=checked('origin');
    var fix=document.getElementById('fixable').checked;
    var q=document.getElementById('q').value.trim().toLowerCase();
    var n=0;
    rows.forEach(function(r){
      var ok=sev[r.getAttribute('data-sev')]&&org[r.getAttribute('data-origin')]&&(!fix||r.getAttribute('data-fixable')==='1')&&(!q||r.getAttribute('data-text').indexOf(q)>=0);
      r.hidden=!ok;if(ok)n++;
    });
    shown.textContent=n+' of '+rows.length+' shown';
    none.hidden=n>0;
  }
  form.addEventListener('input',apply);form.addEventListener('change',apply);
  form.addEventListener('submit',function(e){e.preventDefault();});
  var ths=Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(r,i){var c=r.cells[i];var v=c.getAttribute('data-v');if(v===null)v=c.textContent.trim().toLowerCase();var x=Number(v);return v!==''&&!isNaN(x)?x:v;}
  ths.forEach(function(th,i){
    th.classList.add('sortable');th.tabIndex=0;
    function go(){
      var dir=th.getAttribute('aria-sort')==='descending'?1:-1;
      if(!th.hasAttribute('aria-sort')&&th.getAttribute('data-first')!=='desc')dir=1;
      ths.forEach(function(o){o.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',dir>0?'ascending':'descending');
      rows.sort(function(a,b){var x=key(a,i),y=key(b,i);return (x<y?-1:x>y?1:0)*dir;});
      rows.forEach(function(r){tbody.appendChild(r);});
    }
    th.addEventListener('click',go);
    th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});
  });
  apply();
})();
"#;

fn sev_rank(s: Severity) -> u8 {
    match s {
        Severity::Unknown => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn title_case(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Unknown => "Unknown",
    }
}

fn count(c: &SeverityCounts, s: Severity) -> usize {
    match s {
        Severity::Critical => c.critical,
        Severity::High => c.high,
        Severity::Medium => c.medium,
        Severity::Low => c.low,
        Severity::Unknown => c.unknown,
    }
}

fn origin_label(o: Origin) -> &'static str {
    match o {
        Origin::Base => "Base image",
        Origin::Own => "Your layers",
        Origin::Unknown => "Unknown",
    }
}

/// A link for web URLs, escaped text for anything else.
fn link(url: &str) -> String {
    if util::is_web_url(url) {
        format!(
            "<a href=\"{u}\" rel=\"noreferrer noopener\" target=\"_blank\">{u}</a>",
            u = h(url)
        )
    } else {
        h(url)
    }
}

fn origin_cell(o: Origin, layer: Option<&super::LayerRef>) -> String {
    let name = util::origin_name(o);
    let mut t = format!(
        "<span class=\"origin {name}\"><i></i>{}</span>",
        origin_label(o)
    );
    if let Some(l) = layer {
        let _ = write!(t, "<span class=\"sub\">layer {}</span>", l.index);
    }
    t
}

fn header(report: &ScanReport, out: &mut String) {
    let t = &report.target;
    out.push_str("<header class=\"top\">\n<div class=\"brand\">Bulwark vulnerability scan</div>\n");
    let _ = writeln!(out, "<h1>{}</h1>\n<dl class=\"meta\">", h(&t.name));
    let mut item = |k: &str, v: String| {
        let _ = writeln!(out, "<div><dt>{k}</dt><dd>{v}</dd></div>");
    };
    item("Source", h(&t.source));
    if let Some(id) = &t.image_id {
        item("Image ID", format!("<code>{}</code>", h(id)));
    }
    if let Some(d) = &t.distro {
        let name = d
            .pretty_name
            .clone()
            .unwrap_or_else(|| format!("{} {}", d.id, d.version_id.as_deref().unwrap_or("")));
        let today = report.created_at.get(..10).unwrap_or("");
        let badge = match &d.eol {
            Some(eol) if !today.is_empty() && eol.as_str() < today => format!(
                " <span class=\"badge eol\">End of life since {}</span>",
                h(eol)
            ),
            Some(eol) => format!(
                " <span class=\"badge ok\">Supported until {}</span>",
                h(eol)
            ),
            None => String::new(),
        };
        item("Operating system", format!("{}{badge}", h(name.trim())));
    }
    if let Some(b) = &t.base_image {
        let mut v = h(b.name.as_deref().unwrap_or("(unnamed)"));
        if let Some(d) = &b.digest {
            let _ = write!(v, " <code>{}</code>", h(d));
        }
        let layers = match b.layers {
            Some(1) => "bottom layer".to_string(),
            Some(n) => format!("bottom {n} layers"),
            None => "layers unknown".to_string(),
        };
        let _ = write!(
            v,
            "<span class=\"sub\">{layers}, from {}</span>",
            h(&b.evidence)
        );
        item("Base image", v);
    }
    if let Some(db) = &report.database {
        let age = match db.age_days {
            0 => "built today".to_string(),
            1 => "1 day old".to_string(),
            n => format!("{n} days old"),
        };
        item("Advisory database", format!("{} ({age})", h(&db.built_at)));
    }
    item(
        "Scanned",
        format!(
            "{} by {} {}",
            h(&report.created_at),
            h(&report.tool.name),
            h(&report.tool.version)
        ),
    );
    item("Packages", report.packages.len().to_string());
    out.push_str("</dl>\n</header>\n");
}

fn notices(report: &ScanReport, out: &mut String) {
    if report.notices.is_empty() {
        return;
    }
    let mut list: Vec<_> = report.notices.iter().collect();
    list.sort_by_key(|n| std::cmp::Reverse(n.level));
    out.push_str("<section class=\"notices\" aria-label=\"Notices\">\n");
    for n in list {
        let (class, label) = match n.level {
            NoticeLevel::Warning => ("warning", "Warning"),
            NoticeLevel::Info => ("info", "Note"),
        };
        let _ = writeln!(
            out,
            "<div class=\"notice {class}\" role=\"{}\"><strong>{label}</strong><span>{}</span><code class=\"code\">{}</code></div>",
            if class == "warning" { "alert" } else { "note" },
            h(&n.message),
            h(n.code.as_str())
        );
    }
    out.push_str("</section>\n");
}

fn summary(report: &ScanReport, out: &mut String) {
    let s = &report.summary;
    out.push_str("<section class=\"cards\" aria-label=\"Summary\">\n");
    for sev in SEVERITIES {
        let _ = writeln!(
            out,
            "<div class=\"card {}\"><span class=\"n\">{}</span><span class=\"l\">{}</span></div>",
            sev.as_str(),
            count(&s.vulnerabilities, sev),
            title_case(sev)
        );
    }
    for (n, l) in [
        (s.vulnerabilities.total(), "Total"),
        (s.fixable, "Fixable"),
        (s.suppressed, "Suppressed"),
        (s.licenses.total(), "License issues"),
    ] {
        let _ = writeln!(
            out,
            "<div class=\"card neutral\"><span class=\"n\">{n}</span><span class=\"l\">{l}</span></div>"
        );
    }
    out.push_str("</section>\n");

    let total = s.vulnerabilities.total();
    let parts = [
        ("base", "Base image", &s.base),
        ("own", "Your layers", &s.own),
        ("unknown", "Unknown origin", &s.unknown_origin),
    ];
    out.push_str(
        "<section class=\"split\">\n<div class=\"panel\">\n<h2>Base image vs your layers</h2>\n",
    );
    out.push_str("<div class=\"bar\" role=\"img\" aria-label=\"");
    let labels: Vec<String> = parts
        .iter()
        .map(|(_, l, c)| format!("{l}: {}", c.total()))
        .collect();
    out.push_str(&h(&labels.join(", ")));
    out.push_str("\">");
    for (class, _, c) in &parts {
        if c.total() > 0 && total > 0 {
            let pct = c.total() as f64 * 100.0 / total as f64;
            let _ = write!(
                out,
                "<span class=\"{class}\" style=\"width:{pct:.1}%\"></span>"
            );
        }
    }
    out.push_str("</div>\n<ul class=\"legend\">");
    for (class, label, c) in &parts {
        if *class == "unknown" && c.total() == 0 {
            continue;
        }
        let _ = write!(
            out,
            "<li><i class=\"{class}\"></i>{label} <b>{}</b></li>",
            c.total()
        );
    }
    out.push_str("</ul>\n</div>\n<div class=\"panel\">\n<table class=\"matrix\">\n<thead><tr><th>Origin</th>");
    for sev in SEVERITIES {
        let _ = write!(out, "<th>{}</th>", title_case(sev));
    }
    out.push_str("<th>Total</th></tr></thead>\n<tbody>\n");
    for (class, label, c) in &parts {
        if *class == "unknown" && c.total() == 0 {
            continue;
        }
        let _ = write!(
            out,
            "<tr><td><span class=\"origin {class}\"><i></i>{label}</span></td>"
        );
        for sev in SEVERITIES {
            let _ = write!(out, "<td>{}</td>", count(c, sev));
        }
        let _ = writeln!(out, "<td><b>{}</b></td></tr>", c.total());
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn filters(out: &mut String) {
    out.push_str(
        "<form id=\"filters\" class=\"filters\" hidden>\n<fieldset><legend>Severity</legend>",
    );
    for sev in SEVERITIES {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"sev\" value=\"{}\" checked> {}</label>",
            sev.as_str(),
            title_case(sev)
        );
    }
    out.push_str("</fieldset>\n<fieldset><legend>Origin</legend>");
    for o in [Origin::Base, Origin::Own, Origin::Unknown] {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"origin\" value=\"{}\" checked> {}</label>",
            util::origin_name(o),
            origin_label(o)
        );
    }
    out.push_str(
        "</fieldset>\n<label><input type=\"checkbox\" id=\"fixable\"> Fixable only</label>\n",
    );
    out.push_str("<input type=\"search\" id=\"q\" placeholder=\"Search id, package, title, path\" aria-label=\"Search\">\n<span id=\"shown\"></span>\n</form>\n");
}

fn details(v: &VulnFinding) -> String {
    let mut d = String::from("<div class=\"detail\">");
    if let Some(desc) = &v.description {
        let _ = write!(d, "<p>{}</p>", h(desc));
    }
    d.push_str("<dl>");
    let mut row = |k: &str, val: String| {
        let _ = write!(d, "<dt>{k}</dt><dd>{val}</dd>");
    };
    if !v.aliases.is_empty() {
        row("Aliases", h(&v.aliases.join(", ")));
    }
    let mut sev = v.severity.as_str().to_string();
    if let Some(src) = &v.severity_source {
        let _ = write!(sev, " (from {})", src);
    }
    row("Severity", h(&sev));
    if !v.cvss.is_empty() {
        let mut t = String::from("<table>");
        for c in &v.cvss {
            let score = c.score.map(|s| format!("{s:.1}")).unwrap_or_default();
            let _ = write!(
                t,
                "<tr><td>{}</td><td>CVSS {}</td><td><b>{}</b></td><td><code>{}</code></td></tr>",
                h(&c.source),
                h(&c.version),
                score,
                h(&c.vector)
            );
        }
        t.push_str("</table>");
        row("CVSS", t);
    }
    if let Some(e) = &v.epss {
        row(
            "EPSS",
            format!(
                "{:.2}% chance of exploitation in 30 days (percentile {:.2})",
                e.score * 100.0,
                e.percentile * 100.0
            ),
        );
    }
    if v.kev {
        row(
            "Known exploited",
            "Listed in CISA's Known Exploited Vulnerabilities catalog".to_string(),
        );
    }
    let mut status = h(v.status.as_str());
    if let Some(n) = &v.note {
        let _ = write!(status, ": {}", h(n));
    }
    row("Status", status);
    if !v.fixed_versions.is_empty() {
        row("Fixed in", h(&v.fixed_versions.join(", ")));
    }
    if !v.fix_advisories.is_empty() {
        row("Fix advisories", h(&v.fix_advisories.join(", ")));
    }
    let mut pkg = format!("<code>{}</code>", h(&v.package.purl));
    if let Some(src) = &v.package.source_name {
        let _ = write!(pkg, " (source package {})", h(src));
    }
    row("Package", pkg);
    row(
        "Found in",
        format!("<code>{}</code>", h(&v.package.found_in)),
    );
    if let Some(l) = &v.layer {
        let mut t = format!("{} · layer {}", origin_label(v.origin), l.index);
        if let Some(dg) = l.digest.as_ref().or(l.diff_id.as_ref()) {
            let _ = write!(t, " <code>{}</code>", h(dg));
        }
        if let Some(c) = &l.created_by {
            let _ = write!(t, "<br><code>{}</code>", h(c));
        }
        row("Introduced by", t);
    }
    if !v.data_sources.is_empty() {
        row("Data sources", h(&v.data_sources.join(", ")));
    }
    if !v.references.is_empty() {
        let mut t = String::from("<ul>");
        for r in &v.references {
            let _ = write!(t, "<li>{}</li>", link(r));
        }
        t.push_str("</ul>");
        row("References", t);
    }
    d.push_str("</dl></div>");
    d
}

fn search_text(v: &VulnFinding) -> String {
    let mut parts = vec![
        v.id.as_str(),
        v.package.name.as_str(),
        v.package.version.as_str(),
        v.package.purl.as_str(),
        v.package.found_in.as_str(),
        v.status.as_str(),
    ];
    parts.extend(v.aliases.iter().map(String::as_str));
    if let Some(t) = &v.title {
        parts.push(t);
    }
    if let Some(src) = &v.package.source_name {
        parts.push(src);
    }
    parts.join(" ").to_lowercase()
}

fn findings_table(report: &ScanReport, out: &mut String) {
    let mut list: Vec<&VulnFinding> = report.active_vulnerabilities().collect();
    list.sort_by(|a, b| util::finding_order(a, b));
    out.push_str("<section>\n<h2>Vulnerabilities</h2>\n");
    filters(out);
    if list.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"panel empty\">No vulnerabilities found in {} packages.</div>",
            report.packages.len()
        );
    }
    out.push_str("<div class=\"tablewrap\">\n<table id=\"findings\">\n<thead><tr>");
    out.push_str("<th data-first=\"desc\" aria-sort=\"descending\">Severity</th><th>Vulnerability</th><th>Package</th><th>Installed</th><th>Fixed in</th><th>Status</th><th>Origin</th></tr></thead>\n<tbody>\n");
    for v in &list {
        let fixable = !v.fixed_versions.is_empty();
        let _ = write!(
            out,
            "<tr data-sev=\"{}\" data-origin=\"{}\" data-fixable=\"{}\" data-text=\"{}\">",
            v.severity.as_str(),
            util::origin_name(v.origin),
            if fixable { "1" } else { "0" },
            h(&search_text(v))
        );
        let score = util::max_score(v)
            .map(|s| format!("<span class=\"sub\">CVSS {s:.1}</span>"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<td data-v=\"{}\"><span class=\"sev {}\">{}</span>{score}</td>",
            // Severity first, CVSS score (0.0 to 10.0) within it.
            u32::from(sev_rank(v.severity)) * 1000
                + util::max_score(v).map_or(0, |s| (s.clamp(0.0, 10.0) * 10.0) as u32),
            v.severity.as_str(),
            v.severity.as_str()
        );
        let kev = if v.kev {
            "<span class=\"kev\" title=\"Known exploited (CISA KEV)\">KEV</span>"
        } else {
            ""
        };
        let title = v.title.as_deref().map(util::one_line).unwrap_or_default();
        let _ = write!(
            out,
            "<td class=\"vuln\" data-v=\"{}\"><details class=\"finding\"><summary><span class=\"id\">{}</span>{kev}<span class=\"t\">{}</span></summary>{}</details></td>",
            h(&v.id.to_lowercase()),
            h(&v.id),
            h(&title),
            details(v)
        );
        let _ = write!(
            out,
            "<td data-v=\"{}\"><b>{}</b><span class=\"sub\">{} · {}</span></td>",
            h(&v.package.name.to_lowercase()),
            h(&v.package.name),
            h(&util::kind_label(v.package.kind)),
            h(&v.package.found_in)
        );
        let _ = write!(out, "<td class=\"ver\">{}</td>", h(&v.package.version));
        let _ = write!(
            out,
            "<td class=\"ver fixed\">{}</td>",
            h(&v.fixed_versions.join(", "))
        );
        let _ = write!(out, "<td>{}</td>", h(v.status.as_str()));
        let _ = writeln!(
            out,
            "<td data-v=\"{}\">{}</td></tr>",
            util::origin_name(v.origin),
            origin_cell(v.origin, v.layer.as_ref())
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n<p id=\"none\" class=\"empty\" hidden>No findings match the filters.</p>\n</section>\n");
}

fn licenses(report: &ScanReport, out: &mut String) {
    let mut list: Vec<&LicenseFinding> = report.active_licenses().collect();
    if list.is_empty() {
        return;
    }
    list.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.package.name.cmp(&b.package.name))
    });
    out.push_str("<section>\n<h2>License policy</h2>\n<div class=\"tablewrap\">\n<table>\n<thead><tr><th>Severity</th><th>Package</th><th>Version</th><th>License</th><th>Verdict</th><th>Policy rule</th><th>Origin</th></tr></thead>\n<tbody>\n");
    for l in list {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"sev {s}\">{s}</span></td><td><b>{}</b><span class=\"sub\">{}</span></td><td class=\"ver\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(&l.package.name),
            h(&l.package.found_in),
            h(&l.package.version),
            h(&l.license),
            h(&format!("{:?}", l.verdict).to_lowercase()),
            h(&l.rule),
            origin_cell(l.origin, l.layer.as_ref()),
            s = l.severity.as_str(),
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn suppressed(report: &ScanReport, out: &mut String) {
    let vulns: Vec<&VulnFinding> = report
        .vulnerabilities
        .iter()
        .filter(|v| v.suppression.is_some())
        .collect();
    let lics: Vec<&LicenseFinding> = report
        .licenses
        .iter()
        .filter(|l| l.suppression.is_some())
        .collect();
    let n = vulns.len() + lics.len();
    if n == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "<details class=\"section\" id=\"suppressed\"><summary>Suppressed findings ({n})</summary><div>\n<table>\n<thead><tr><th>Severity</th><th>Finding</th><th>Package</th><th>Exception</th><th>Reason</th><th>Owner</th><th>Expires</th></tr></thead>\n<tbody>"
    );
    let row = |out: &mut String,
               sev: Severity,
               what: &str,
               p: &super::PackageRef,
               s: &crate::Suppression| {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"sev {sv}\">{sv}</span></td><td>{}</td><td><b>{}</b> {}<span class=\"sub\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(what),
            h(&p.name),
            h(&p.version),
            h(&p.found_in),
            h(&s.kind),
            h(&s.reason),
            h(s.owner.as_deref().unwrap_or("")),
            h(s.expires.as_deref().unwrap_or("")),
            sv = sev.as_str(),
        );
    };
    for v in vulns {
        if let Some(s) = &v.suppression {
            row(out, v.severity, &v.id, &v.package, s);
        }
    }
    for l in lics {
        if let Some(s) = &l.suppression {
            row(
                out,
                l.severity,
                &format!("license {}", l.license),
                &l.package,
                s,
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</div></details>\n");
}

fn layers(report: &ScanReport, out: &mut String) {
    let layers = &report.target.layers;
    if layers.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details class=\"section\" id=\"layers\"><summary>Layers ({})</summary><div>\n<table>\n<thead><tr><th>#</th><th>Origin</th><th>Digest</th><th>Created by</th></tr></thead>\n<tbody>",
        layers.len()
    );
    let known_base = report.target.base_image.is_some();
    for l in layers {
        let origin = match (known_base, l.is_base) {
            (false, _) => Origin::Unknown,
            (true, true) => Origin::Base,
            (true, false) => Origin::Own,
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            l.index,
            origin_cell(origin, None),
            h(l.digest.as_deref().or(l.diff_id.as_deref()).unwrap_or("")),
            h(l.created_by.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody>\n</table>\n</div></details>\n");
}

fn inventory(report: &ScanReport, out: &mut String) {
    let mut vulns: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for v in report.active_vulnerabilities() {
        *vulns
            .entry((v.package.purl.as_str(), v.package.found_in.as_str()))
            .or_default() += 1;
    }
    let _ = writeln!(
        out,
        "<details class=\"section\" id=\"packages\"><summary>Package inventory ({})</summary><div>\n<table>\n<thead><tr><th>Package</th><th>Version</th><th>Kind</th><th>Licenses</th><th>Vulnerabilities</th><th>Layer</th><th>Found in</th></tr></thead>\n<tbody>",
        report.packages.len()
    );
    let mut list: Vec<_> = report.packages.iter().collect();
    list.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.version.cmp(&b.version))
    });
    for p in list {
        let n = vulns
            .get(&(p.purl.as_str(), p.found_in.as_str()))
            .copied()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td><b>{}</b></td><td class=\"ver\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            h(&p.name),
            h(&p.version),
            h(&util::kind_label(p.kind)),
            h(&p.licenses.join(", ")),
            if n == 0 { String::new() } else { n.to_string() },
            p.layer.map(|l| l.to_string()).unwrap_or_default(),
            h(&p.found_in)
        );
    }
    out.push_str("</tbody>\n</table>\n</div></details>\n");
}

fn warnings(report: &ScanReport, out: &mut String) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details class=\"section\" id=\"warnings\"><summary>Cataloguing warnings ({})</summary><div>\n<table>\n<thead><tr><th>Cataloger</th><th>Path</th><th>Message</th></tr></thead>\n<tbody>",
        report.warnings.len()
    );
    for w in &report.warnings {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            h(&w.cataloger),
            h(&w.path),
            h(&w.message)
        );
    }
    out.push_str("</tbody>\n</table>\n</div></details>\n");
}

/// Render the scan as one self-contained HTML page (ends with a newline).
pub fn write(report: &ScanReport) -> String {
    let mut out = String::with_capacity(64 * 1024 + report.packages.len() * 200);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing outside this file may load, even if a value slipped through unescaped.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"{} {}\">",
        h(&report.tool.name),
        h(&report.tool.version)
    );
    let _ = writeln!(
        out,
        "<title>Bulwark scan: {}</title>",
        h(&report.target.name)
    );
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    header(report, &mut out);
    out.push_str("<main>\n");
    notices(report, &mut out);
    summary(report, &mut out);
    findings_table(report, &mut out);
    licenses(report, &mut out);
    suppressed(report, &mut out);
    layers(report, &mut out);
    inventory(report, &mut out);
    warnings(report, &mut out);
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<footer>Generated by {} {} at {} · schema version {}</footer>",
        h(&report.tool.name),
        h(&report.tool.version),
        h(&report.created_at),
        report.schema_version
    );
    let _ = writeln!(out, "<script>{JS}</script>\n</body>\n</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::super::testdata;

    #[test]
    fn hostile_strings_are_escaped() {
        let mut report = testdata::sample();
        let evil = "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>";
        report.target.name = evil.into();
        report.vulnerabilities[0].title = Some(evil.into());
        report.vulnerabilities[0].description = Some(evil.into());
        report.vulnerabilities[0].references = vec![
            "javascript:alert(1)".into(),
            "https://example.com/?a=1&b=\"2\"".into(),
        ];
        report.vulnerabilities[0].package.name = evil.into();
        report.notices[0].message = evil.into();
        report.packages[0].licenses = vec![evil.into()];
        report.warnings[0].message = evil.into();
        let out = super::write(&report);
        // The only script element is ours; no raw markup from the data.
        assert_eq!(out.matches("<script>").count(), 1, "{out}");
        assert!(!out.contains("<img"));
        assert!(out.contains(
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos; &lt;img src=x onerror=alert(1)&gt;"
        ));
        // Non-web references are text, web ones links with escaped attributes.
        assert!(!out.contains("href=\"javascript:"));
        assert!(out.contains("<li>javascript:alert(1)</li>"));
        assert!(out.contains(
            "<a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\" rel=\"noreferrer noopener\" target=\"_blank\">"
        ));
    }

    #[test]
    fn self_contained() {
        let out = super::write(&testdata::sample());
        // The only URLs are the references' links.
        assert!(!out.contains("src="));
        assert!(!out.contains("<link"));
        assert!(!out.contains("@import"));
        assert!(!out.contains("url("));
        // Rows carry what the filters read.
        assert_eq!(out.matches("<tr data-sev=").count(), 9);
        assert!(out.contains("<tr data-sev=\"HIGH\" data-origin=\"own\" data-fixable=\"1\""));
        assert!(out.contains("<form id=\"filters\" class=\"filters\" hidden>"));
    }
}
