// On a narrow screen the lists' rows stack and their headings are hidden: each cell gets its
// column's heading as a label (shown by the stylesheet), so "64" reads "Votes: 64".
(function () {
  'use strict';
  function label() {
    Array.prototype.forEach.call(document.querySelectorAll('table.list'), function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) {
        return th.textContent.trim();
      });
      Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (headings[i] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', headings[i]);
        });
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', label);
  else label();
})();
