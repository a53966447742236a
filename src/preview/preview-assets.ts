/**
 * @module
 * The preview page's three static files: HTML, CSS and the page script. None interpolates any
 * value (the script carries one piece of code: {@link cellStatusLink}'s own source, so the link a
 * cell shows is built exactly as the tested function builds it), so nothing from a request or an
 * endpoint can reach the markup; the script writes the
 * waybill with `textContent` only. The page loads its data exactly as WeChat's landing page does:
 * it defines `WxOrderCb` and adds a `<script>` whose `src` is the signed query URL (spec §1), so a
 * reply that is not a clean `WxOrderCb(...)` breaks this page as it would break WeChat's.
 */

import { cellStatusLink } from '../cell-link/cell-link.js';

export const PREVIEW_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wxtrack preview · 扫一扫查快递预览</title>
<link rel="stylesheet" href="/preview.css">
<script src="/preview.js" defer></script>
</head>
<body>
<header>
  <form method="get" action="/">
    <label for="orderid-input">Waybill 运单号</label>
    <input id="orderid-input" name="orderid" autocomplete="off" spellcheck="false">
    <button type="submit">Preview 预览</button>
  </form>
</header>
<main>
  <p id="loading" hidden>Loading through JSONP… 正在通过 JSONP 加载…</p>
  <section id="error" class="error" hidden>
    <h2>The endpoint's reply breaks the page · 接口返回导致页面出错</h2>
    <p id="error-message"></p>
    <ul id="error-checks"></ul>
  </section>
  <section id="card" hidden>
    <div class="head">
      <div>
        <div id="status" class="status"></div>
        <div id="eta" class="eta" hidden></div>
        <div id="waybill" class="waybill"></div>
      </div>
    </div>
    <img id="barcode" class="barcode" alt="barcode">
    <ol id="timeline" class="timeline"></ol>
    <ul id="cells" class="cells"></ul>
    <section id="warnings" class="warnings" hidden>
      <h3>WeChat's review would flag · 审核可能指出</h3>
      <ul id="warning-checks"></ul>
    </section>
  </section>
</main>
</body>
</html>
`;

export const PREVIEW_CSS = `body{margin:0;font:15px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#ededed;color:#111}
header{background:#fff;padding:12px 16px;border-bottom:1px solid #ddd}
header form{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
input{font:inherit;padding:4px 8px;min-width:16em}
main{max-width:480px;margin:0 auto;padding:12px}
#card,.error{background:#fff;border-radius:8px;padding:16px;margin-bottom:12px}
.status{font-size:22px;font-weight:600;color:#07c160}
.eta{color:#555}
.waybill{color:#888;font-size:13px}
.barcode{display:block;max-width:100%;height:72px;margin:12px 0}
.timeline{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid #e5e5e5}
.timeline li{position:relative;padding:0 0 14px 10px}
.timeline li::before{content:"";position:absolute;left:-21px;top:6px;width:10px;height:10px;border-radius:50%;background:#ccc}
.timeline li:first-child::before{background:#07c160}
.timeline .label{font-weight:600}
.timeline .time,.timeline .remark{color:#888;font-size:13px}
.cells{list-style:none;padding:0;margin:12px 0 0;border-top:1px solid #eee}
.cells li{padding:10px 0;border-bottom:1px solid #eee}
.cells .value{float:right;color:#576b95}
.cells .link{display:block;font:12px/1.4 monospace;color:#888;word-break:break-all}
.error{border:2px solid #fa5151}
.error h2{color:#fa5151;font-size:17px;margin-top:0}
.warnings{border-top:1px dashed #fa9d3b;margin-top:12px}
.warnings h3{color:#fa9d3b;font-size:15px}
code{word-break:break-all}
`;

export const PREVIEW_JS = `'use strict';
${cellStatusLink.toString()}
(function () {
  var STATUS = ['待揽件 awaiting pickup', '已揽件 picked up', '运输中 in transit', '派送中 out for delivery',
    '已签收 signed', '签收异常 delivery problem', '代签收 signed by proxy'];
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  };
  var orderid = new URLSearchParams(location.search).get('orderid');
  if (!orderid) return;
  $('orderid-input').value = orderid;
  $('loading').hidden = false;

  function showChecks(list, checks) {
    checks.forEach(function (c) { list.appendChild(el('li', '', c.id + ': ' + c.detail)); });
  }
  function diagnose(then) {
    fetch('/api/diagnose?orderid=' + encodeURIComponent(orderid))
      .then(function (r) { return r.json(); })
      .then(function (d) { then(d.failed || []); })
      .catch(function () { then([]); });
  }
  var failed = false;
  function fail(message) {
    if (failed) return;
    failed = true;
    $('loading').hidden = true;
    $('card').hidden = true;
    $('error').hidden = false;
    $('error-message').textContent = message;
    diagnose(function (checks) { showChecks($('error-checks'), checks); });
  }
  function render(info, signed) {
    if (!info || typeof info !== 'object') return fail('WxOrderCb was called without an object.');
    if (info.err_code !== 0) return fail('err_code ' + info.err_code + ': ' + info.err_msg);
    $('loading').hidden = true;
    $('card').hidden = false;
    $('status').textContent = STATUS[info.order_status] || ('order_status ' + info.order_status);
    if (info.estimated_delivery_time) {
      $('eta').hidden = false;
      $('eta').textContent = '预计送达 ETA ' + info.estimated_delivery_time;
    }
    $('waybill').textContent = '运单号 ' + orderid;
    $('barcode').src = '/barcode.svg?text=' + encodeURIComponent(orderid);
    var traces = (info.traces || []).slice().sort(function (a, b) {
      return a.accept_time < b.accept_time ? 1 : a.accept_time > b.accept_time ? -1 : 0;
    });
    traces.forEach(function (t) {
      var parts = String(t.accept_address).split('\\n');
      var li = el('li');
      li.appendChild(el('div', 'label', parts[0]));
      if (parts.length > 1) li.appendChild(el('div', 'text', parts.slice(1).join(' ')));
      li.appendChild(el('div', 'time', t.accept_time));
      if (t.remark) li.appendChild(el('div', 'remark', t.remark));
      $('timeline').appendChild(li);
    });
    (info.cells || []).forEach(function (c) {
      var li = el('li');
      li.appendChild(el('span', 'value', c.value));
      var registered = signed.cells.filter(function (r) { return r.key === c.key; })[0];
      li.appendChild(el('span', 'name', registered ? registered.name : c.key));
      // status is a URL parameter appended to the registered link; WeChat's five parameters follow.
      var base = cellStatusLink(registered ? registered.link : '<link registered for ' + c.key + '>', c.status);
      li.appendChild(el('span', 'link', cellStatusLink(base, signed.cellParams)));
      $('cells').appendChild(li);
    });
    diagnose(function (checks) {
      if (checks.length === 0) return;
      $('warnings').hidden = false;
      showChecks($('warning-checks'), checks);
    });
  }

  fetch('/api/sign?orderid=' + encodeURIComponent(orderid))
    .then(function (r) { return r.json(); })
    .then(function (signed) {
      if (signed.error) return fail(signed.error);
      var called = false;
      window.WxOrderCb = function (info) { called = true; render(info, signed); };
      window.addEventListener('error', function (e) {
        if (e.filename && e.filename.indexOf(signed.origin) === 0) fail('The reply is not valid JavaScript: ' + e.message);
      });
      var s = document.createElement('script');
      s.src = signed.src;
      s.onerror = function () {
        fail('The endpoint\\'s <script> did not load: an HTTP error, a non-JavaScript type, or no answer.');
      };
      s.onload = function () {
        if (!called) fail('The reply loaded but never called WxOrderCb(...): WeChat\\'s page would stay blank.');
      };
      document.head.appendChild(s);
    })
    .catch(function () { fail('The preview server did not answer.'); });
})();
`;
