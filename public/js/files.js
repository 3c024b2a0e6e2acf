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
      function update() {
        form.enctype = input.files && input.files.length ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
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
