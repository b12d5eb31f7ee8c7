// The HTML report's script, inlined into the report by template.ts (its hash goes in the page's
// Content-Security-Policy). It draws the report from the JSON data block. Every value there came
// from events and rule files, hostile text: it reaches the page only through textContent,
// setAttribute on title/aria attributes, or SVG numbers, never through innerHTML or as markup.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var SEVERITIES = ['low', 'medium', 'high', 'critical'];
  /** Rows drawn at once: the table holds up to the report's row bound, the page stays quick. */
  var RENDER_MAX = 500;
  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  /** A tooltip for an SVG element: a <title> child holding the text. */
  function tip(target, text) {
    var title = svg('title', {});
    title.textContent = text;
    target.appendChild(title);
    return target;
  }
  function num(n) {
    return Number(n).toLocaleString('en-US');
  }
  function plural(n, one, many) {
    return num(n) + ' ' + (n === 1 ? one : many || one + 's');
  }
  function time(ms) {
    return ms === null ? 'no timestamp' : new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z');
  }
  /** A chart tick: no seconds when buckets are a minute or wider, no time of day when a day or wider. */
  function tickTime(ms, width) {
    var iso = new Date(ms).toISOString();
    return width >= 86400000 ? iso.slice(0, 10) : width >= 60000 ? iso.slice(0, 10) + ' ' + iso.slice(11, 16) : iso.slice(0, 10) + ' ' + iso.slice(11, 19);
  }
  function bytes(b) {
    if (b >= 1e9) return (b / 1e9).toFixed(2) + ' GB';
    if (b >= 1e6) return (b / 1e6).toFixed(1) + ' MB';
    if (b >= 1e3) return (b / 1e3).toFixed(1) + ' kB';
    return b + ' B';
  }
  function section(title, id) {
    var s = el('section', 'card');
    if (id) s.id = id;
    add(s, el('h2', null, title));
    add(document.getElementById('report'), s);
    return s;
  }
  function severityBadge(sev) {
    return el('span', 'sev sev-' + (SEVERITIES.indexOf(sev) >= 0 ? sev : 'low'), sev);
  }

  var t = data.totals;
  var rules = data.rules;

  // Header and totals.
  var header = add(el('header'), el('h1', null, 'lkm-scan report'));
  add(header, el('p', 'muted', data.tool.name + ' ' + data.tool.version + ' · generated ' + data.generated.replace('T', ' ').replace(/\.\d+Z$/, 'Z')));
  add(document.getElementById('report'), header);

  var totals = el('div', 'totals');
  function stat(label, value, note, small) {
    var box = add(el('div', 'stat'), el('div', small ? 'stat-value stat-small' : 'stat-value', value), el('div', 'stat-label', label));
    if (note) add(box, el('div', 'stat-note', note));
    add(totals, box);
  }
  stat('alerts', num(t.alerts));
  stat('rules alerted', num(t.rulesAlerted), 'of ' + plural(t.rulesRun, 'rule') + ' run');
  stat('hosts', num(t.hosts));
  stat('events', num(t.events), t.skipped ? num(t.skipped) + ' ruled out unparsed' : null);
  stat('lines', num(t.lines), [t.malformed ? num(t.malformed) + ' malformed' : '', t.blank ? num(t.blank) + ' blank' : ''].filter(Boolean).join(', ') || null);
  stat('inputs', num(t.files), bytes(t.bytes) + ' in ' + (t.elapsedMs / 1000).toFixed(2) + ' s');
  var span = t.alertSpan ? t.alertSpan[0].replace('T', ' ') + ' to ' + t.alertSpan[1].replace('T', ' ') : 'no timed alert';
  var windowNote = t.window.since || t.window.until ? 'scan window: ' + (t.window.since || 'start') + ' to ' + (t.window.until || 'end') : 'no --since/--until';
  stat('alerts from, to', span, windowNote, true);
  var overview = section('Overview', 'overview');
  add(overview, totals);
  if (data.notes.length) {
    var notes = el('ul', 'notes');
    data.notes.forEach(function (n) {
      add(notes, el('li', null, n));
    });
    add(overview, notes);
  }
  if (data.inputs.length) {
    var inputs = el('table', 'inputs');
    var head = add(el('tr'), el('th', null, 'input'));
    ['lines', 'events', 'ruled out', 'malformed', 'blank', 'size'].forEach(function (h) {
      add(head, el('th', 'n', h));
    });
    add(inputs, add(el('thead'), head));
    var body = el('tbody');
    data.inputs.forEach(function (i) {
      var tr = add(el('tr'), el('td', 'path', i.name));
      add(tr, el('td', 'n', num(i.lines)), el('td', 'n', num(i.events + i.skipped)), el('td', 'n', num(i.skipped)));
      add(tr, el('td', i.malformed ? 'n warn' : 'n', num(i.malformed)), el('td', 'n', num(i.blank)), el('td', 'n', bytes(i.bytes)));
      add(body, tr);
      if (i.error) add(body, add(el('tr', 'error'), add(el('td', null, 'could not be read: ' + i.error))));
    });
    add(inputs, body);
    var details = add(el('details', 'inputs-box'), el('summary', null, 'Inputs (' + plural(data.inputs.length + data.moreInputs, 'input') + ')'), inputs);
    if (data.moreInputs) add(details, el('p', 'muted', plural(data.moreInputs, 'more input') + ' not listed'));
    add(overview, details);
  }

  // Alerts over time per host: one row of cells per host, darker for more alerts.
  (function timeline() {
    var tl = data.timeline;
    var s = section('Alerts over time, by host', 'timeline');
    if (!tl.buckets) {
      add(s, el('p', 'muted', t.alerts ? 'No alert has a usable timestamp.' : 'No alerts.'));
      return;
    }
    var LABEL = 170;
    var W = 960;
    var ROW = 20;
    var BARS = 56;
    var AXIS = 22;
    var plot = W - LABEL - 10;
    var cell = plot / tl.buckets;
    var H = BARS + 8 + tl.rows.length * ROW + AXIS;
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', 'aria-label': 'alerts over time by host' });
    var totalsPer = [];
    var max = 1;
    var maxTotal = 1;
    for (var b = 0; b < tl.buckets; b++) {
      var sum = 0;
      tl.rows.forEach(function (r) {
        sum += r.counts[b];
        if (r.counts[b] > max) max = r.counts[b];
      });
      totalsPer.push(sum);
      if (sum > maxTotal) maxTotal = sum;
    }
    function range(i) {
      return time((tl.first + i) * tl.widthMs) + ' – ' + time((tl.first + i + 1) * tl.widthMs);
    }
    var allLabel = svg('text', { x: LABEL - 8, y: BARS - 4, 'text-anchor': 'end', class: 'tl-label' });
    allLabel.textContent = 'all hosts';
    add(chart, allLabel);
    totalsPer.forEach(function (n, i) {
      if (!n) return;
      var h = Math.max(1, (n / maxTotal) * (BARS - 6));
      var bar = svg('rect', { x: LABEL + i * cell, y: BARS - h, width: Math.max(0.5, cell - 0.5), height: h, class: 'tl-bar' });
      tip(bar, range(i) + ': ' + plural(n, 'alert'));
      add(chart, bar);
    });
    tl.rows.forEach(function (r, row) {
      var y = BARS + 8 + row * ROW;
      // The name cut to fit its column; the whole name in a tooltip (a <title> beside the text: inside it, it would be drawn).
      var label = svg('text', { x: LABEL - 8, y: y + ROW - 6, 'text-anchor': 'end', class: r.other ? 'tl-label tl-other' : 'tl-label' });
      label.textContent = r.host.length > 26 ? r.host.slice(0, 25) + '…' : r.host;
      var group = add(svg('g', {}), label);
      tip(group, r.host);
      add(chart, group);
      add(chart, svg('rect', { x: LABEL, y: y + 1, width: plot, height: ROW - 2, class: 'tl-lane' }));
      r.counts.forEach(function (n, i) {
        if (!n) return;
        var c = svg('rect', { x: LABEL + i * cell, y: y + 1, width: Math.max(0.5, cell - 0.5), height: ROW - 2, class: 'tl-cell', 'fill-opacity': (0.25 + 0.75 * (Math.log(1 + n) / Math.log(1 + max))).toFixed(3) });
        tip(c, r.host + ', ' + range(i) + ': ' + plural(n, 'alert'));
        add(chart, c);
      });
    });
    var axisY = H - 6;
    var ticks = Math.min(5, tl.buckets);
    for (var k = 0; k <= ticks; k++) {
      var i = Math.round((k / ticks) * tl.buckets);
      var x = LABEL + i * cell;
      var tick = svg('text', { x: x, y: axisY, 'text-anchor': k === 0 ? 'start' : k === ticks ? 'end' : 'middle', class: 'tl-axis' });
      tick.textContent = tickTime((tl.first + i) * tl.widthMs, tl.widthMs);
      add(chart, tick);
    }
    add(s, chart);
    var width = tl.widthMs >= 86400000 ? plural(tl.widthMs / 86400000, 'day') : tl.widthMs >= 3600000 ? plural(tl.widthMs / 3600000, 'hour') : tl.widthMs >= 60000 ? plural(tl.widthMs / 60000, 'minute') : plural(tl.widthMs / 1000, 'second');
    add(s, el('p', 'muted', 'Each cell is ' + width + ' (UTC); hover for counts.' + (tl.untimed ? ' ' + plural(tl.untimed, 'alert') + ' without a usable timestamp are not drawn.' : '')));
  })();

  // The ATT&CK tactics and techniques that fired, from the rules' threat mapping.
  (function attack() {
    var a = data.attack;
    var s = section('MITRE ATT&CK', 'attack');
    if (!a.tactics.length) {
      add(s, el('p', 'muted', 'No alerting rule maps an ATT&CK tactic.'));
      return;
    }
    var max = 1;
    a.tactics.forEach(function (tac) {
      tac.techniques.forEach(function (tech) {
        if (tech.alerts > max) max = tech.alerts;
      });
    });
    var grid = el('div', 'matrix');
    a.tactics.forEach(function (tac) {
      var col = add(el('div', 'tactic'), add(el('div', 'tactic-head'), el('div', 'tactic-name', tac.name), el('div', 'muted', tac.id + ' · ' + plural(tac.alerts, 'alert'))));
      tac.techniques.forEach(function (tech) {
        var box = el('div', 'technique');
        box.style.setProperty('--heat', (0.15 + 0.85 * (Math.log(1 + tech.alerts) / Math.log(1 + max))).toFixed(3));
        add(box, el('div', 'tech-name', tech.id + ' ' + tech.name), el('div', 'tech-count', plural(tech.alerts, 'alert')));
        tech.subtechniques.forEach(function (sub) {
          add(box, el('div', 'subtech', sub.id + ' ' + sub.name + ' (' + num(sub.alerts) + ')'));
        });
        box.title = 'Rules: ' + tech.rules.join('; ');
        add(col, box);
      });
      if (!tac.techniques.length) add(col, el('div', 'muted', 'tactic only'));
      add(grid, col);
    });
    add(s, grid);
    var foot = [];
    if (a.quiet.length) foot.push('No alerts for: ' + a.quiet.join(', ') + '.');
    if (a.unmapped) foot.push(plural(a.unmapped, 'alert') + ' from rules without an ATT&CK mapping.');
    if (foot.length) add(s, el('p', 'muted', foot.join(' ')));
  })();

  // Top rules, hosts, users, processes; a click filters the table by the name.
  var filterInput;
  function filterBy(text) {
    filterInput.value = text;
    applyFilter();
    document.getElementById('alerts').scrollIntoView();
  }
  (function tops() {
    var s = section('Top', 'top');
    var grid = el('div', 'tops');
    function list(title, items, more, uncounted) {
      var box = add(el('div', 'top-list'), el('h3', null, title));
      if (!items.length) add(box, el('p', 'muted', 'none'));
      var ol = el('ol');
      items.forEach(function (item) {
        var li = el('li');
        var b = el('button', 'link', item.name);
        b.type = 'button';
        b.title = 'show only alerts matching this';
        b.addEventListener('click', function () {
          filterBy(item.name);
        });
        add(li, el('span', 'count', num(item.alerts)), b);
        if (item.severity) add(li, severityBadge(item.severity));
        if (item.rules && item.rules.length) add(li, el('div', 'muted small', item.rules.join(' · ')));
        add(ol, li);
      });
      add(box, ol);
      if (more) add(box, el('p', 'muted', 'and ' + plural(more, 'more')));
      if (uncounted) add(box, el('p', 'muted', plural(uncounted, 'alert') + ' on further names, counted but not named'));
      add(grid, box);
    }
    var byAlerts = rules.slice().sort(function (a, b) {
      return b.alerts - a.alerts || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    list(
      'Rules',
      byAlerts.slice(0, 10).map(function (r) {
        return { name: r.name, alerts: r.alerts, severity: r.severity };
      }),
      Math.max(0, byAlerts.length - 10),
      0,
    );
    list('Hosts', data.top.hosts.items, data.top.hosts.more, data.top.hosts.uncounted);
    list('Users', data.top.users.items, data.top.users.more, data.top.users.uncounted);
    list('Processes', data.top.processes.items, data.top.processes.more, data.top.processes.uncounted);
    add(s, grid);
  })();

  // The alert table: filter, sort by any column, click (or Enter on) a row for its event.
  var COLUMNS = [
    { key: 'time', label: 'Time' },
    { key: 'severity', label: 'Severity' },
    { key: 'rule', label: 'Rule' },
    { key: 'host', label: 'Host' },
    { key: 'user', label: 'User' },
    { key: 'process', label: 'Process' },
    { key: 'source', label: 'Source' },
  ];
  var rows = data.rows.map(function (r, i) {
    var rule = rules[r.r];
    var row = { i: i, t: r.t, time: time(r.t), sevRank: SEVERITIES.indexOf(rule.severity), rule: rule, host: r.h, user: r.u, process: r.p, source: r.at, d: r.d };
    row.text = [row.time, rule.severity, rule.name, rule.id, r.h, r.u, r.p, r.at].join('\n').toLowerCase();
    return row;
  });
  var sortKey = 'time';
  var sortDir = 1;
  var open = {};
  var shownRows = rows;

  var s = section('Alerts', 'alerts');
  var bar = el('div', 'table-bar');
  filterInput = el('input');
  filterInput.type = 'search';
  filterInput.id = 'filter';
  filterInput.placeholder = 'Filter: words that every row shown must contain (rule, host, user, process, file…)';
  filterInput.setAttribute('aria-label', 'filter alerts');
  var count = el('span', 'muted', '');
  count.id = 'alert-count';
  add(bar, filterInput, count);
  add(s, bar);
  var table = el('table', 'alerts');
  table.id = 'alert-table';
  var headRow = el('tr');
  var headers = {};
  COLUMNS.forEach(function (c) {
    var th = el('th');
    var b = el('button', 'sort', c.label);
    b.type = 'button';
    b.setAttribute('data-key', c.key);
    b.addEventListener('click', function () {
      if (sortKey === c.key) sortDir = -sortDir;
      else {
        sortKey = c.key;
        sortDir = c.key === 'severity' ? -1 : 1;
      }
      applyFilter();
    });
    add(th, b);
    headers[c.key] = th;
    add(headRow, th);
  });
  add(table, add(el('thead'), headRow));
  var tbody = el('tbody');
  add(table, tbody);
  add(s, add(el('div', 'table-wrap'), table));
  var note = el('p', 'muted');
  add(s, note);
  var omittedNotes = [];
  if (data.omitted.rows) omittedNotes.push(plural(data.omitted.rows, 'more alert') + ' not shown in this table (the table keeps the first ' + num(data.bounds.rows) + '; the counts, chart, matrix and top lists include every alert; --format json has them all).');
  if (data.omitted.details) omittedNotes.push(plural(data.omitted.details, 'alert') + ' in the table without their event (the report keeps ' + num(data.bounds.detailChars) + ' characters of events in all).');
  if (omittedNotes.length) add(s, el('p', 'warn', omittedNotes.join(' ')));

  function compare(a, b) {
    var x, y;
    switch (sortKey) {
      case 'time':
        x = a.t === null ? Infinity : a.t;
        y = b.t === null ? Infinity : b.t;
        break;
      case 'severity':
        x = a.sevRank * 1000 + a.rule.risk;
        y = b.sevRank * 1000 + b.rule.risk;
        break;
      case 'rule':
        x = a.rule.name;
        y = b.rule.name;
        break;
      default:
        x = a[sortKey];
        y = b[sortKey];
    }
    return (x < y ? -1 : x > y ? 1 : a.i - b.i) * sortDir;
  }

  function detailCell(row) {
    var td = el('td', 'detail');
    td.colSpan = COLUMNS.length;
    if (row.d < 0) {
      add(td, el('p', 'muted', 'The event of this alert is not in the report (size bound); --format json has it.'));
      return td;
    }
    var d = data.details[row.d];
    d.sections.forEach(function (sec) {
      add(td, el('h4', null, sec.title));
      var dl = el('dl', 'fields');
      sec.fields.forEach(function (f) {
        add(dl, el('dt', null, f[0]), el('dd', null, f[1]));
      });
      add(td, dl);
    });
    if (d.omitted) add(td, el('p', 'warn', plural(d.omitted, 'more field') + ' not shown (the report keeps ' + num(data.bounds.alertChars) + ' characters per alert)'));
    return td;
  }

  function toggle(tr, row) {
    var next = tr.nextSibling;
    if (open[row.i]) {
      delete open[row.i];
      if (next && next.className === 'detail-row') tbody.removeChild(next);
      tr.setAttribute('aria-expanded', 'false');
      return;
    }
    open[row.i] = true;
    tr.setAttribute('aria-expanded', 'true');
    tbody.insertBefore(add(el('tr', 'detail-row'), detailCell(row)), next);
  }

  function render() {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    var n = Math.min(shownRows.length, RENDER_MAX);
    for (var i = 0; i < n; i++) {
      (function (row) {
        var tr = el('tr', 'alert-row');
        tr.tabIndex = 0;
        tr.setAttribute('aria-expanded', open[row.i] ? 'true' : 'false');
        var ruleCell = el('td', 'rule', row.rule.name);
        ruleCell.title = row.rule.id + (row.rule.mitre.length ? ' · ' + row.rule.mitre.join(' ') : '');
        add(tr, el('td', 'time', row.time), add(el('td'), severityBadge(row.rule.severity)), ruleCell, el('td', null, row.host), el('td', null, row.user), el('td', null, row.process), el('td', 'path', row.source));
        tr.addEventListener('click', function () {
          toggle(tr, row);
        });
        tr.addEventListener('keydown', function (e) {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            toggle(tr, row);
          }
        });
        add(tbody, tr);
        if (open[row.i]) add(tbody, add(el('tr', 'detail-row'), detailCell(row)));
      })(shownRows[i]);
    }
    COLUMNS.forEach(function (c) {
      headers[c.key].setAttribute('aria-sort', c.key === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
    });
    count.textContent = (shownRows.length === rows.length ? plural(rows.length, 'alert') : num(shownRows.length) + ' of ' + plural(rows.length, 'alert')) + (data.omitted.rows ? ' in the table' : '');
    note.textContent = shownRows.length > RENDER_MAX ? 'Showing the first ' + num(RENDER_MAX) + ' of ' + num(shownRows.length) + ' matching alerts: filter or sort to see others.' : '';
  }

  function applyFilter() {
    var words = filterInput.value.toLowerCase().split(/\s+/).filter(Boolean);
    shownRows = rows.filter(function (row) {
      for (var w = 0; w < words.length; w++) if (row.text.indexOf(words[w]) < 0) return false;
      return true;
    });
    shownRows.sort(compare);
    render();
  }
  filterInput.addEventListener('input', applyFilter);
  applyFilter();

  var foot = el('footer', 'muted', 'Made by lkm-scan from the alerts of one scan. Values come from the events as read; control and bidi characters are shown escaped (\\x1b, \\u202e), and long values are cut with a count of what was left out. Bounds: ' + num(data.bounds.rows) + ' alerts in the table, ' + num(data.bounds.alertChars) + ' characters of event per alert, ' + num(data.bounds.detailChars) + ' in all, ' + num(data.bounds.valueChars) + ' per value.');
  add(document.getElementById('report'), foot);
  document.documentElement.setAttribute('data-ready', 'true');
})();
