/* The report form (pages/reports/new.html). Before sending: each chosen file's type and size,
   and their total, checked against the limits the server renders into the form's data-
   attributes, with the server's own messages; nothing is sent while one is wrong. Then the
   form goes by XMLHttpRequest with a progress bar ("2/3 上传中"). On success the page the
   server redirected to is shown (its address too); on a refusal the page it answered with.
   Without this script the form posts as any form does. */
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function setUp(form) {
    var d = form.dataset;
    var input = form.querySelector("input[type=file]");
    var hint = form.querySelector("#f-files-hint");
    var upload = form.querySelector(".upload");
    var bar = upload.querySelector("progress");
    var status = upload.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    var types = d.types.split(",");
    var maxFile = Number(d.maxFile);
    var maxTotal = Number(d.maxTotal);

    function showError(message) {
      var p = form.querySelector("#f-files-error");
      if (!p) {
        p = document.createElement("p");
        p.id = "f-files-error";
        p.className = "field-error";
        p.setAttribute("role", "alert");
        hint.parentNode.insertBefore(p, hint.nextSibling);
      }
      p.textContent = message;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "f-files-hint f-files-error");
    }

    function clearError() {
      var p = form.querySelector("#f-files-error");
      if (p) {
        p.parentNode.removeChild(p);
      }
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", "f-files-hint");
    }

    /* The message of the first file that may not be sent, or of their total; null when all may. */
    function problem() {
      var total = 0;
      for (var i = 0; i < input.files.length; i++) {
        var f = input.files[i];
        if (types.indexOf(f.type) < 0) {
          return fill(d.msgWrongType, { name: f.name });
        }
        if (f.size > maxFile) {
          return fill(d.msgFileTooLarge, { name: f.name });
        }
        total += f.size;
      }
      return total > maxTotal ? d.msgTotalTooLarge : null;
    }

    function busy(on) {
      upload.hidden = !on;
      button.disabled = on;
    }

    /* Which file is on its way: the files come last in the body, in their order. */
    function progress(loaded, total, sizes) {
      bar.max = total;
      bar.value = loaded;
      if (!sizes.length) {
        status.textContent = d.msgSending;
        return;
      }
      var end = total - sizes.reduce(function (a, b) { return a + b; }, 0);
      var current = sizes.length;
      for (var i = 0; i < sizes.length; i++) {
        end += sizes[i];
        if (loaded < end) {
          current = i + 1;
          break;
        }
      }
      status.textContent = fill(d.msgProgress, { current: current, total: sizes.length });
    }

    /* The answer's page in place of this one (the form again with its messages, or the page
       the server redirected to, which shows the action's message once). */
    function show(xhr) {
      document.open();
      document.write(xhr.responseText);
      document.close();
      if (xhr.responseURL && xhr.responseURL !== location.href) {
        history.replaceState(null, "", xhr.responseURL);
      }
    }

    input.addEventListener("change", function () {
      var message = problem();
      if (message) {
        showError(message);
      } else {
        clearError();
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = problem();
      if (message) {
        showError(message);
        input.focus();
        return;
      }
      clearError();
      var sizes = Array.prototype.map.call(input.files, function (f) { return f.size; });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          progress(e.loaded, e.total, sizes);
        }
      });
      xhr.addEventListener("load", function () {
        var html = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/html") === 0;
        if (html) {
          show(xhr);
        } else {
          busy(false);
          showError(d.msgFailed);
        }
      });
      xhr.addEventListener("error", function () {
        busy(false);
        showError(d.msgFailed);
      });
      busy(true);
      progress(0, 1, sizes);
      xhr.send(new FormData(form));
    });
  }

  function start() {
    var form = document.getElementById("report-form");
    if (form && window.FormData && window.XMLHttpRequest) {
      setUp(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
