/* The recording player on the contact detail page. No build step, no dependencies.
 *
 * Play asks the API for a fetch job, long-polls it while a worker copies the WAV from
 * S3 into the cache, then swaps in an <audio> element on the short-lived AudioUrl
 * (served with HTTP Range, so seeking works). Connect records the agent on the RIGHT
 * channel and the customer on the LEFT; "listen to" routes one of them to both ears
 * with the Web Audio API.
 */
(function () {
  "use strict";

  var root = document.getElementById("player");
  if (!root) { return; }
  var strings = JSON.parse(document.getElementById("player-strings").textContent);
  var start = root.querySelector(".player-start");
  var statusLine = root.querySelector(".player-status");
  var progressBox = root.querySelector(".player-progress");
  var progress = progressBox.querySelector("progress");
  var ui = root.querySelector(".player-ui");
  var audio = ui.querySelector("audio");
  var toggle = ui.querySelector('[data-action="toggle"]');
  var seek = ui.querySelector(".seek");
  var currentLabel = ui.querySelector(".current");
  var totalLabel = ui.querySelector(".total");
  var speed = ui.querySelector(".speed");
  var turns = Array.prototype.slice.call(document.querySelectorAll("#transcript .turn"));
  var AGENT_CHANNEL = 1;    // right
  var CUSTOMER_CHANNEL = 0; // left
  var SPEEDS = ["0.5", "0.75", "1", "1.25", "1.5", "1.75", "2"];

  var job = null;
  var graph = null;
  var pendingSeek = null;
  var dragging = false;
  var refreshes = 0;

  function say(text, isError) {
    statusLine.textContent = text || "";
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function clock(seconds) {
    if (!isFinite(seconds)) { return "0:00"; }
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + rest : m + ":" + rest;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function call(url, options) {
    var settings = Object.assign({ credentials: "same-origin" }, options || {});
    settings.headers = Object.assign({ "Accept": "application/json" }, settings.headers || {});
    return fetch(url, settings).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    });
  }

  function jobUrl(id) { return root.dataset.jobUrl.replace("JOB", encodeURIComponent(id)); }

  function setBusy(busy) {
    Array.prototype.forEach.call(start.querySelectorAll("button, input"), function (el) { el.disabled = busy; });
    progressBox.hidden = !busy;
  }

  function fail(message) {
    setBusy(false);
    say(message || strings.failed, true);
  }

  function showProgress(state) {
    if (state.BytesTotal) {
      progress.max = state.BytesTotal;
      progress.value = state.BytesDone || 0;
    } else {
      progress.removeAttribute("value");
    }
    var key = (state.Status || "").toLowerCase();
    say(state.Message || strings[key] || "");
  }

  function requestPlay(version, reason) {
    setBusy(true);
    say(strings.queued);
    call(root.dataset.fetchUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ Version: version, Reason: reason || "", Wait: 2 })
    }).then(function (answer) {
      if (answer.status !== 202) { return fail(answer.body.Message); }
      job = { id: answer.body.JobId, version: version };
      return follow(answer.body);
    }).catch(function () { fail(strings.unreachable); });
  }

  function follow(state) {
    showProgress(state);
    if (state.Status === "READY" && state.AudioUrl) { return load(state.AudioUrl); }
    if (state.Status === "FAILED" || state.Status === "READY") { return fail(state.Message); }
    return call(jobUrl(job.id) + "?wait=1").then(function (answer) {
      if (answer.status !== 200) { return fail(answer.body.Message); }
      return follow(answer.body);
    }, function () {
      return sleep(1000).then(function () { return follow(state); });
    });
  }

  function load(url) {
    setBusy(false);
    start.hidden = true;
    ui.hidden = false;
    ui.querySelector(".player-version").textContent = strings[job.version] || "";
    audio.src = url;
    audio.playbackRate = Number(speed.value);
    say(strings.ready);
    var attempt = audio.play();
    if (attempt && attempt.catch) { attempt.catch(function () { /* autoplay refused: the button still works */ }); }
    toggle.focus();
  }

  /* An expired AudioUrl (they live minutes) is replaced without losing the position. */
  function refreshUrl() {
    if (!job || refreshes > 3) { return fail(strings.failed); }
    refreshes += 1;
    var position = audio.currentTime;
    var playing = !audio.paused;
    say(strings.expired);
    call(jobUrl(job.id)).then(function (answer) {
      if (answer.status !== 200 || !answer.body.AudioUrl) {
        start.hidden = false;
        ui.hidden = true;
        return fail(answer.body.Message);
      }
      pendingSeek = position;
      audio.src = answer.body.AudioUrl;
      if (playing) { audio.play().catch(function () {}); }
      say("");
    }, function () { fail(strings.unreachable); });
  }

  function togglePlay() {
    if (audio.paused) { audio.play().catch(function () {}); } else { audio.pause(); }
  }

  function jump(seconds) {
    if (!isFinite(audio.duration)) { return; }
    audio.currentTime = Math.min(Math.max(0, audio.currentTime + seconds), audio.duration);
  }

  function seekTo(seconds) {
    if (ui.hidden) {
      pendingSeek = seconds;
      var plain = start.querySelector('button[data-play-version="REDACTED"]');
      if (plain) { plain.click(); } else {
        var reason = start.querySelector("input[name=reason]");
        if (reason) { reason.focus(); }
      }
      return;
    }
    audio.currentTime = seconds;
    if (audio.paused) { audio.play().catch(function () {}); }
  }

  function stepSpeed(direction) {
    var index = SPEEDS.indexOf(speed.value) + direction;
    if (index >= 0 && index < SPEEDS.length) {
      speed.value = SPEEDS[index];
      audio.playbackRate = Number(speed.value);
    }
  }

  function audioGraph() {
    if (graph) { return graph; }
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return null; }
    var context = new Context();
    graph = {
      context: context,
      source: context.createMediaElementSource(audio),
      splitter: context.createChannelSplitter(2),
      merger: context.createChannelMerger(2)
    };
    graph.merger.connect(context.destination);
    return graph;
  }

  function listenTo(channel) {
    var g = audioGraph();
    if (!g) { say(strings.noAudioContext); return; }
    g.source.disconnect();
    g.splitter.disconnect();
    if (channel === "both") {
      g.source.connect(g.context.destination);
    } else {
      var from = channel === "agent" ? AGENT_CHANNEL : CUSTOMER_CHANNEL;
      g.source.connect(g.splitter);
      g.splitter.connect(g.merger, from, 0);
      g.splitter.connect(g.merger, from, 1);
    }
    if (g.context.state === "suspended") { g.context.resume(); }
  }

  function highlight(ms) {
    var found = null;
    for (var i = 0; i < turns.length; i += 1) {
      var begin = Number(turns[i].dataset.beginMs);
      var end = Number(turns[i].dataset.endMs);
      if (turns[i].dataset.beginMs !== "" && begin <= ms && (ms < end || !turns[i].dataset.endMs)) { found = turns[i]; }
    }
    turns.forEach(function (turn) {
      var on = turn === found;
      if (on !== turn.classList.contains("current")) {
        turn.classList.toggle("current", on);
        if (on) { turn.setAttribute("aria-current", "true"); } else { turn.removeAttribute("aria-current"); }
      }
    });
  }

  start.addEventListener("click", function (event) {
    var button = event.target.closest('button[data-play-version="REDACTED"]');
    if (button) { requestPlay("REDACTED", ""); }
  });
  var originalForm = start.querySelector("form.original-play");
  if (originalForm) {
    originalForm.addEventListener("submit", function (event) {
      event.preventDefault();
      requestPlay("ORIGINAL", originalForm.elements.reason.value);
    });
  }

  ui.querySelector('[data-action="back"]').addEventListener("click", function () { jump(-10); });
  ui.querySelector('[data-action="forward"]').addEventListener("click", function () { jump(10); });
  toggle.addEventListener("click", togglePlay);
  speed.addEventListener("change", function () { audio.playbackRate = Number(speed.value); });
  seek.addEventListener("input", function () { dragging = true; currentLabel.textContent = clock(Number(seek.value)); });
  seek.addEventListener("change", function () { dragging = false; audio.currentTime = Number(seek.value); });
  Array.prototype.forEach.call(ui.querySelectorAll("input[name=channel]"), function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) { listenTo(radio.value); } });
  });

  audio.addEventListener("loadedmetadata", function () {
    seek.max = String(audio.duration);
    totalLabel.textContent = clock(audio.duration);
    audio.playbackRate = Number(speed.value);
    if (pendingSeek !== null) { audio.currentTime = pendingSeek; pendingSeek = null; }
  });
  audio.addEventListener("timeupdate", function () {
    if (!dragging) { seek.value = String(audio.currentTime); }
    currentLabel.textContent = clock(audio.currentTime);
    highlight(audio.currentTime * 1000);
  });
  audio.addEventListener("play", function () { toggle.textContent = "❚❚"; toggle.setAttribute("aria-label", strings.pause); });
  audio.addEventListener("pause", function () { toggle.textContent = "▶"; toggle.setAttribute("aria-label", strings.play); });
  audio.addEventListener("error", function () { if (audio.src) { refreshUrl(); } });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-seek-ms]");
    if (target) { seekTo(Number(target.dataset.seekMs) / 1000); }
  });

  document.addEventListener("keydown", function (event) {
    if (ui.hidden || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") { return; }
    var onButton = tag === "button" || tag === "a" || tag === "summary";
    var actions = {
      "k": togglePlay,
      "j": function () { jump(-10); },
      "l": function () { jump(10); },
      "[": function () { stepSpeed(-1); },
      "]": function () { stepSpeed(1); }
    };
    if (event.key === " " && !onButton) { actions[" "] = togglePlay; }
    var action = actions[event.key.toLowerCase ? event.key.toLowerCase() : event.key];
    if (action) { event.preventDefault(); action(); }
  });
}());
