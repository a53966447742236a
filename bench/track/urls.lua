-- wrk script for the track bench: one wrk thread walks a file of pre-signed request targets
-- (path + query, one a line), each used once, and checks every reply.
--
--   wrk -t1 -c100 -d10s -s bench/track/urls.lua http://127.0.0.1:PORT -- URLS_FILE [OFFSET]
--
-- OFFSET (default 0) is the line to start after: the measured run starts where the warm-up run
-- stopped, so no signed URL is sent twice. Walking past the last line wraps to the first and is
-- counted (`wraps`): the bench treats a wrap as a sizing bug.
--
-- Every request carries `Accept-Encoding: gzip, deflate` (WRK_ACCEPT_ENCODING; empty: none), as
-- the `<script>` request of WeChat's page does. A reply counts as good only when it is HTTP 200
-- and its body starts with `WxOrderCb({"err_code":0,` or is gzip-encoded (wxtrack gzips only
-- successful replies: refusals are plain JSONP), unless WRK_CHECK_BODY=0 (see `response`). `done` prints one line,
-- `BENCH_JSON {...}`, for run.mjs to read. Counters are globals because `done` reads them from the thread with thread:get().

paths = {}
count = 0
idx = 0
start_idx = 0
wraps = 0
good = 0
bad_status = 0
bad_body = 0

local threads = {}
local prefix = "GET "
local suffix = ""
local OK_PREFIX = 'WxOrderCb({"err_code":0,'
local OK_LEN = #OK_PREFIX
local GZIP_MAGIC = "\31\139"
local ACCEPT_ENCODING = os.getenv("WRK_ACCEPT_ENCODING") or "gzip, deflate"

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  if file == nil then
    error("usage: wrk ... -s urls.lua URL -- URLS_FILE [OFFSET]")
  end
  for line in io.lines(file) do
    if #line > 0 then
      count = count + 1
      paths[count] = line
    end
  end
  if count == 0 then
    error("no request targets in " .. file)
  end
  idx = (tonumber(args[2] or "0") or 0) % count
  start_idx = idx
  local host = wrk.headers["Host"] or wrk.host
  -- Built once: a request is then one string concatenation.
  local accept = ""
  if #ACCEPT_ENCODING > 0 then
    accept = "Accept-Encoding: " .. ACCEPT_ENCODING .. "\r\n"
  end
  suffix = " HTTP/1.1\r\nHost: " .. host .. "\r\n" .. accept .. "\r\n"
end

function request()
  idx = idx + 1
  if idx > count then
    idx = 1
    wraps = wraps + 1
  end
  return prefix .. paths[idx] .. suffix
end

-- Defined only when bodies are to be checked: wrk copies every body into Lua only when a
-- `response` function exists, which costs the client a good part of its CPU at 80k req/s. The
-- ceiling's body is a constant, so run.mjs sets WRK_CHECK_BODY=0 for it; wrk still counts its
-- non-2xx replies (errors.status).
if os.getenv("WRK_CHECK_BODY") ~= "0" then
  function response(status, headers, body)
    if status ~= 200 then
      bad_status = bad_status + 1
    elseif string.sub(body, 1, OK_LEN) == OK_PREFIX or string.sub(body, 1, 2) == GZIP_MAGIC then
      good = good + 1
    else
      bad_body = bad_body + 1
    end
  end
end

function done(summary, latency, requests)
  local t = threads[1]
  local e = summary.errors
  local p = function(q)
    return latency:percentile(q)
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},' ..
      '"good":%d,"bad_status":%d,"bad_body":%d,"checked":%s,"wraps":%d,"start_idx":%d,"end_idx":%d,"urls":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, p(50), p(90), p(99), p(99.9), latency.max,
    t:get("good"), t:get("bad_status"), t:get("bad_body"), tostring(response ~= nil), t:get("wraps"),
    t:get("start_idx"), t:get("idx"), t:get("count")))
end
