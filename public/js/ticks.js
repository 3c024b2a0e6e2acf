// The queue's ticks: "tick every request on this page" and how many are ticked. Without
// JavaScript each row's box still ticks and the bulk form still posts them.
(function () {
  'use strict';
  function start() {
    var all = document.querySelector('[data-tick-all]');
    var count = document.querySelector('[data-ticked-count]');
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk"]'));
    if (!all || !boxes.length) return;
    function update() {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
      if (count) count.textContent = ticked ? ticked + ' ticked.' : '';
    }
    all.hidden = false;
    all.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
    boxes.forEach(function (b) { b.addEventListener('change', update); });
    // A change to many requests is said back before it is sent: one stray click must not
    // resolve, and email, a page of customers. (Nothing ticked or chosen: the server says so.)
    var form = document.querySelector('[data-bulk-form]');
    if (form) {
      form.addEventListener('submit', function (event) {
        var ticked = boxes.filter(function (b) { return b.checked; }).length;
        var parts = ['status', 'assignee_id'].map(function (name) {
          var select = form.elements[name];
          if (!select || !select.value) return null;
          return (name === 'status' ? 'status to ' : 'assignee to ') + select.options[select.selectedIndex].text;
        }).filter(Boolean);
        if (ticked < 2 || !parts.length) return;
        var quiet = form.elements.status.value && form.querySelector('#bulk-email') && !form.querySelector('#bulk-email').checked;
        var question = 'Change ' + ticked + ' requests: ' + parts.join(', ') + (quiet ? ', without emailing the customers' : '') + '?';
        if (!window.confirm(question)) event.preventDefault();
      });
    }
    // Ticks kept by the browser on Back, or by a refused form shown again, are counted too.
    window.addEventListener('pageshow', update);
    update();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
