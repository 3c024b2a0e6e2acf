// The "Attach files" field: shown only with JavaScript, which sends its form as
// multipart/form-data while files are chosen (and as a plain form again when none are), so
// a form without files posts exactly as it does without JavaScript.
(function () {
  'use strict';
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-file-field]'), function (field) {
      var input = field.querySelector('input[type="file"]');
      if (!input || !input.form) return;
      var form = input.form;
      // With files chosen the text may stay empty (a screenshot says it); without, it is asked for.
      var text = form.querySelector('textarea[name="body"][required], textarea[name="body"][data-required]');
      if (text) text.setAttribute('data-required', '');
      function update() {
        var chosen = Boolean(input.files && input.files.length);
        form.enctype = chosen ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
        if (text) text.required = !chosen;
      }
      field.hidden = false;
      input.addEventListener('change', update);
      window.addEventListener('pageshow', update);
      update();
    });
  }
  // A file removed cannot be brought back: asked first.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute('data-confirm')) return;
    if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
