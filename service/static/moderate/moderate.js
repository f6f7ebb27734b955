// Sidenote moderator UI: progressive enhancement of the server-rendered pages under /moderate.
//
// Without this script every form still works (it posts to /moderate and the page comes back
// with a notice and an Undo button). With it, the queue's forms go to the JSON moderation API
// (session cookie + X-CSRF-Token), the page changes in place, the keyboard works
// (j/k a r s e b x u ?), each action offers Undo for a few seconds, and focus is never lost:
// when a card leaves the tab, the next one takes focus. No framework, no inline code (the pages
// run under a strict Content-Security-Policy), and nothing a reader wrote is parsed as HTML
// here: redrawn cards come from the server, which sanitised them.
(function () {
  "use strict";

  var TOAST_MS = 8000;
  var DONE = { approve: "Approved", reject: "Rejected", spam: "Marked as spam" };

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute("content") || "" : "";
  }

  // The path prefix the service is served under ("" at the top; docs/deploying.md).
  var ROOT = meta("sidenote-root");
  var API = ROOT + "/api/v1/moderation";

  var csrf = meta("csrf-token");
  var queue = document.getElementById("queue");
  var tab = queue ? queue.getAttribute("data-tab") : "";
  var site = queue ? queue.getAttribute("data-site") : "";
  var announcer = document.getElementById("announce");
  var toast = document.getElementById("toast");
  var help = document.getElementById("keys");
  var lastCard = null;
  var lastUndo = null;
  var toastTimer = 0;

  function Failure(message) {
    this.message = message;
  }

  // -- talking to the server ----------------------------------------------------------------

  function call(method, path, body) {
    var headers = { Accept: "application/json", "X-CSRF-Token": csrf };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(API + path, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (response.ok) return data;
          if (response.status === 401) {
            throw new Failure("Your session has ended. Reload the page to log in again.");
          }
          var error = data && data.error;
          throw new Failure((error && error.message) || "The server answered " + response.status + ".");
        });
    });
  }

  function pagePath() {
    var params = new URLSearchParams(location.search);
    params.delete("notice");
    var query = params.toString();
    var path = location.pathname; // an app path for `next`: without the prefix
    if (ROOT && path.indexOf(ROOT + "/") === 0) path = path.slice(ROOT.length);
    return path + (query ? "?" + query : "");
  }

  // Replace a card with the server's fresh rendering of it (after an edit, a pin, …).
  function redraw(card) {
    var url =
      ROOT + "/moderate/cards/" + card.getAttribute("data-id") +
      "?tab=" + encodeURIComponent(tab) + "&next=" + encodeURIComponent(pagePath());
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Failure("Could not redraw the comment; reload the page.");
        return response.text();
      })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.querySelector("article.card");
        if (!fresh || !card.isConnected) return card;
        var adopted = document.importNode(fresh, true);
        var picked = isPicked(card);
        var hadFocus = card === document.activeElement || card.contains(document.activeElement);
        card.replaceWith(adopted);
        setPicked(adopted, picked);
        if (lastCard === card) lastCard = adopted;
        if (hadFocus) focusCard(adopted);
        return adopted;
      });
  }

  function redrawIds(ids) {
    return Promise.all(
      ids.map(function (id) {
        var card = cardById(id);
        return card ? redraw(card) : null;
      })
    );
  }

  function refreshCounts() {
    if (!queue) return Promise.resolve();
    return call("GET", "/counts" + (site ? "?site=" + encodeURIComponent(site) : ""))
      .then(function (data) {
        Object.keys(data.counts).forEach(function (key) {
          var element = document.querySelector('[data-count="' + key + '"]');
          if (element) element.textContent = String(data.counts[key]);
        });
      })
      .catch(function () {
        /* counts refresh again in a moment */
      });
  }

  // -- telling the moderator ----------------------------------------------------------------

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function showToast(text, undo, isError) {
    if (!toast) return;
    toast.querySelector(".toast-text").textContent = text;
    toast.classList.toggle("is-error", !!isError);
    toast.querySelector(".toast-undo").hidden = !undo;
    if (undo) lastUndo = undo;
    toast.hidden = false;
    announce(text + (undo ? " Press u to undo." : ""));
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(hideToast, isError ? TOAST_MS * 1.5 : TOAST_MS);
  }

  function hideToast() {
    if (!toast || toast.hidden) return;
    if (toast.contains(document.activeElement) || toast.matches(":hover")) {
      toastTimer = window.setTimeout(hideToast, 2000); // not while it is being used
      return;
    }
    toast.hidden = true;
    lastUndo = null;
  }

  function fail(error) {
    var message =
      error instanceof Failure ? error.message : "Could not reach the server. Please try again.";
    showToast(message, null, true);
  }

  function run(task) {
    try {
      Promise.resolve(task()).catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  // -- cards and focus ----------------------------------------------------------------------

  function cards() {
    return queue ? Array.prototype.slice.call(queue.querySelectorAll("article.card")) : [];
  }

  function cardById(id) {
    return queue ? queue.querySelector('article.card[data-id="' + id + '"]') : null;
  }

  function authorOf(card) {
    var heading = card.querySelector(".author");
    return heading ? heading.textContent.trim() : "a guest";
  }

  function currentCard() {
    var active = document.activeElement;
    var card = active && active.closest ? active.closest("article.card") : null;
    if (card && queue && queue.contains(card)) return card;
    if (lastCard && lastCard.isConnected) return lastCard;
    return null;
  }

  function focusCard(card) {
    if (!card) return;
    lastCard = card;
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function emptyNote() {
    return queue.querySelector(".empty");
  }

  function updateEmpty() {
    emptyNote().hidden = cards().length > 0;
  }

  function move(step) {
    var all = cards();
    if (!all.length) {
      emptyNote().focus();
      return;
    }
    var current = currentCard();
    var index = current ? all.indexOf(current) + step : step > 0 ? 0 : all.length - 1;
    focusCard(all[Math.max(0, Math.min(all.length - 1, index))]);
  }

  function busy(card, on) {
    card.classList.toggle("is-busy", on);
    card.setAttribute("aria-busy", on ? "true" : "false");
  }

  // Take cards out of the tab; focus moves on to the next card (or the previous one, or the
  // "nothing here" note). Returns a function that puts them back where they were.
  function removeCards(list) {
    var all = cards();
    var gone = list.filter(function (card) {
      return card.isConnected;
    });
    var active = currentCard();
    var target = null;
    var moveFocus = active && gone.indexOf(active) >= 0;
    if (moveFocus) {
      var index = all.indexOf(active);
      var stays = function (card) {
        return gone.indexOf(card) < 0;
      };
      target = all.slice(index + 1).filter(stays)[0] || all.slice(0, index).filter(stays).pop() || null;
    }
    var places = gone.map(function (card) {
      return { card: card, next: card.nextElementSibling };
    });
    gone.forEach(function (card) {
      setPicked(card, false);
      busy(card, false);
      card.remove();
    });
    updateEmpty();
    updatePicked();
    if (moveFocus) {
      if (target) focusCard(target);
      else emptyNote().focus();
    }
    return function restore() {
      places
        .slice()
        .reverse()
        .forEach(function (place) {
          if (place.next && place.next.isConnected) place.next.before(place.card);
          else emptyNote().before(place.card);
        });
      updateEmpty();
      if (places.length) focusCard(places[0].card);
    };
  }

  // -- selection ----------------------------------------------------------------------------

  function box(card) {
    return card.querySelector('input[name="ids"]');
  }

  function isPicked(card) {
    var input = box(card);
    return !!(input && input.checked);
  }

  function setPicked(card, on) {
    var input = box(card);
    if (input) input.checked = on;
    card.classList.toggle("is-picked", on);
  }

  function picked() {
    return cards().filter(isPicked);
  }

  function updatePicked() {
    var note = document.querySelector('[data-js="picked"]');
    if (!note) return;
    var count = picked().length;
    note.textContent = count
      ? count + (count === 1 ? " comment" : " comments") + " selected."
      : "Select comments (x) to act on them together.";
  }

  function togglePick(card) {
    setPicked(card, !isPicked(card));
    updatePicked();
    var count = picked().length;
    announce((isPicked(card) ? "Selected. " : "Unselected. ") + count + " selected.");
  }

  // -- actions ------------------------------------------------------------------------------

  function leavesTab(status) {
    return tab === "reported" || status !== tab;
  }

  function decide(card, action) {
    if (card.classList.contains("is-busy")) return null;
    if (!card.querySelector('form[data-js="decide"] button[value="' + action + '"]')) {
      announce("This comment is " + card.getAttribute("data-status") + " already.");
      return null;
    }
    var id = card.getAttribute("data-id");
    var name = authorOf(card);
    busy(card, true);
    return call("POST", "/comments/" + id + "/decision", { action: action })
      .then(function (data) {
        var restore;
        if (leavesTab(data.comment.status)) {
          restore = removeCards([card]);
        } else {
          busy(card, false);
          redraw(card);
          restore = function () {
            return redrawIds([id]);
          };
        }
        showToast(DONE[action] + ": the comment by " + name + ".", {
          batch: data.undo.batch,
          restore: restore,
        });
        return refreshCounts();
      })
      .catch(function (error) {
        busy(card, false);
        throw error;
      });
  }

  function edit(form) {
    var card = form.closest("article.card");
    var id = card.getAttribute("data-id");
    var name = authorOf(card);
    var body = form.elements.namedItem("body").value;
    var note = form.elements.namedItem("note").value;
    busy(card, true);
    return call("PATCH", "/comments/" + id, { body: body, note: note })
      .then(function (data) {
        return redraw(card).then(function (fresh) {
          focusCard(fresh);
          showToast("Edited the comment by " + name + ".", {
            batch: data.undo.batch,
            restore: function () {
              return redrawIds([id]);
            },
          });
        });
      })
      .catch(function (error) {
        busy(card, false);
        throw error;
      });
  }

  function ban(form) {
    var card = form.closest("article.card");
    var name = authorOf(card);
    var data = new FormData(form);
    var body = {
      comment_id: Number(card.getAttribute("data-id")),
      kind: data.get("kind"),
      reason: data.get("reason") || "",
      shadow: data.has("shadow"),
      reject_pending: data.has("reject_pending"),
    };
    if (data.get("duration_days")) body.duration_days = Number(data.get("duration_days"));
    busy(card, true);
    return call("POST", "/bans", body)
      .then(function (result) {
        var rejected = result.rejected_ids.map(String);
        var leaving =
          tab === "rejected"
            ? []
            : cards().filter(function (other) {
                return rejected.indexOf(other.getAttribute("data-id")) >= 0;
              });
        var restoreRemoved = leaving.length ? removeCards(leaving) : null;
        var redrawn = leaving.indexOf(card) >= 0 ? Promise.resolve() : redraw(card).then(focusCard);
        var text = "Banned " + name;
        if (rejected.length) {
          text += " and rejected " + rejected.length + " pending comment" + (rejected.length === 1 ? "" : "s");
        }
        return redrawn.then(function () {
          showToast(text + ".", {
            batch: result.undo.batch,
            restore: function () {
              if (restoreRemoved) restoreRemoved();
            },
          });
          return refreshCounts();
        });
      })
      .catch(function (error) {
        busy(card, false);
        throw error;
      });
  }

  function smallAction(form) {
    var card = form.closest("article.card");
    var id = card.getAttribute("data-id");
    var kind = form.getAttribute("data-js");
    var data = new FormData(form);
    var request;
    var text;
    var affected = [id];
    if (kind === "pin") {
      var pinned = data.get("pinned") === "1";
      request = call("PATCH", "/comments/" + id, { pinned: pinned });
      text = pinned ? "Pinned the comment." : "Unpinned the comment.";
    } else if (kind === "trust") {
      var trusted = data.get("trusted") === "1";
      request = call("POST", "/comments/" + id + "/trust", { trusted: trusted });
      text = trusted ? "Trusting " + authorOf(card) + "." : "No longer trusting " + authorOf(card) + ".";
    } else {
      var thread = card.getAttribute("data-thread");
      var change = {};
      if (data.has("locked")) change.locked = data.get("locked") === "1";
      if (data.has("moderation")) change.moderation = data.get("moderation");
      request = call("PATCH", "/threads/" + thread, change);
      affected = cards()
        .filter(function (other) {
          return other.getAttribute("data-thread") === thread;
        })
        .map(function (other) {
          return other.getAttribute("data-id");
        });
      if ("locked" in change) text = change.locked ? "Locked the thread." : "Unlocked the thread.";
      else text = change.moderation === "pre" ? "The thread is pre-moderated." : "The thread follows the site's mode.";
    }
    busy(card, true);
    return request
      .then(function (result) {
        return redrawIds(affected).then(function () {
          var fresh = cardById(id);
          if (fresh) focusCard(fresh);
          showToast(text, {
            batch: result.undo.batch,
            restore: function () {
              return redrawIds(affected);
            },
          });
        });
      })
      .catch(function (error) {
        busy(card, false);
        throw error;
      });
  }

  function bulk(action) {
    var chosen = picked();
    if (!chosen.length) {
      showToast("Select comments first: press x on each, or tick their boxes.", null, true);
      return null;
    }
    chosen.forEach(function (card) {
      busy(card, true);
    });
    var ids = chosen.map(function (card) {
      return Number(card.getAttribute("data-id"));
    });
    return call("POST", "/decisions", { ids: ids, action: action })
      .then(function (result) {
        var statuses = {};
        var failures = [];
        result.results.forEach(function (item) {
          if (item.ok) statuses[String(item.id)] = item.status;
          else failures.push(item);
        });
        var leaving = [];
        var staying = [];
        chosen.forEach(function (card) {
          busy(card, false);
          var status = statuses[card.getAttribute("data-id")];
          if (status === undefined) return;
          if (leavesTab(status)) leaving.push(card);
          else staying.push(card.getAttribute("data-id"));
        });
        var restore = removeCards(leaving);
        redrawIds(staying);
        var done = leaving.length + staying.length;
        var text = DONE[action] + ": " + done + (done === 1 ? " comment." : " comments.");
        if (failures.length) text += " " + failures.length + " failed: " + failures[0].error.message;
        showToast(text, {
          batch: result.undo.batch,
          restore: function () {
            restore();
            return redrawIds(staying);
          },
        });
        return refreshCounts();
      })
      .catch(function (error) {
        chosen.forEach(function (card) {
          busy(card, false);
        });
        throw error;
      });
  }

  function undo() {
    var pending = lastUndo;
    if (!pending) {
      var form = document.querySelector('.notice form[action="' + ROOT + '/moderate/undo"]');
      if (form) form.requestSubmit();
      else announce("Nothing to undo.");
      return null;
    }
    lastUndo = null;
    if (toast) toast.hidden = true;
    return call("POST", "/undo", { batch: pending.batch }).then(function () {
      return Promise.resolve(pending.restore()).then(function () {
        announce("Undone.");
        return refreshCounts();
      });
    });
  }

  function openPanel(name) {
    var card = currentCard();
    if (!card) {
      move(1);
      announce("Choose a comment first with j and k.");
      return;
    }
    var details = card.querySelector("details." + name);
    if (!details) return;
    details.open = true;
    var field =
      details.querySelector("textarea") ||
      details.querySelector('input[type="radio"]:checked') ||
      details.querySelector("input, select, button");
    if (field) {
      field.focus();
      if (field.tagName === "TEXTAREA") field.setSelectionRange(field.value.length, field.value.length);
    }
  }

  function decideCurrent(action) {
    var card = currentCard();
    if (!card) {
      move(1);
      announce("Choose a comment first with j and k.");
      return null;
    }
    return decide(card, action);
  }

  // -- wiring -------------------------------------------------------------------------------

  function isTyping(element) {
    if (!element || !element.closest) return false;
    if (element.closest("textarea, select, [contenteditable], dialog")) return true;
    if (element.tagName !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(element.type) < 0;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (!queue || !(form instanceof HTMLFormElement)) return;
    if (form.id === "bulk") {
      // Ban and the thread and author actions get a full page answer (with its notice).
      if (!submitter || !DONE[submitter.value]) return;
      event.preventDefault();
      run(function () {
        return bulk(submitter.value);
      });
      return;
    }
    var kind = form.getAttribute("data-js");
    var card = form.closest("article.card");
    if (!kind || !card) return;
    event.preventDefault();
    lastCard = card;
    run(function () {
      if (kind === "decide") return decide(card, submitter ? submitter.value : "approve");
      if (kind === "edit") return edit(form);
      if (kind === "ban") return ban(form);
      return smallAction(form);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!queue || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var target = event.target;
    if (event.key === "Escape") {
      var open = target.closest ? target.closest("article.card details[open]") : null;
      if (open) {
        event.preventDefault();
        open.open = false;
        focusCard(open.closest("article.card"));
      }
      return;
    }
    if (isTyping(target) || (help && help.open)) return;
    var actions = {
      j: function () {
        move(1);
      },
      k: function () {
        move(-1);
      },
      a: function () {
        return decideCurrent("approve");
      },
      r: function () {
        return decideCurrent("reject");
      },
      s: function () {
        return decideCurrent("spam");
      },
      e: function () {
        openPanel("edit");
      },
      b: function () {
        openPanel("ban");
      },
      x: function () {
        var card = currentCard();
        if (card) togglePick(card);
        else move(1);
      },
      u: undo,
      "?": function () {
        if (help) help.showModal();
      },
    };
    if (!Object.prototype.hasOwnProperty.call(actions, event.key)) return;
    event.preventDefault();
    run(actions[event.key]);
  });

  if (queue) {
    queue.addEventListener("focusin", function (event) {
      var card = event.target.closest("article.card");
      if (card) lastCard = card;
    });
    queue.addEventListener("change", function (event) {
      if (event.target.name === "ids") {
        var card = event.target.closest("article.card");
        card.classList.toggle("is-picked", event.target.checked);
        updatePicked();
      }
    });
    window.setInterval(function () {
      if (document.visibilityState === "visible") refreshCounts();
    }, 30000);
  }

  if (toast) {
    toast.querySelector(".toast-undo").addEventListener("click", function () {
      run(undo);
    });
    toast.querySelector(".toast-close").addEventListener("click", function () {
      toast.hidden = true;
      lastUndo = null;
      focusCard(currentCard());
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-js="show-keys"]'), function (button) {
    button.hidden = !help;
    button.addEventListener("click", function () {
      help.showModal();
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll('[data-js="pick-all"]'), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var all = cards();
      var on = picked().length < all.length;
      all.forEach(function (card) {
        setPicked(card, on);
      });
      updatePicked();
      announce(on ? "Selected all " + all.length + "." : "Selection cleared.");
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll('[data-js="copy"]'), function (button) {
    var input = document.getElementById(button.getAttribute("data-target"));
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () {
          announce("Copied.");
        },
        function () {
          input.select();
        }
      );
    });
  });
})();
