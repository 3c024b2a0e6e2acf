// Draws each widget's chart from the figures table that the server rendered (the table
// stays, for screen readers and for anyone without JavaScript).
(function () {
  'use strict';
  function draw() {
    if (typeof Chart === 'undefined') return;
    var figures = document.querySelectorAll('figure[data-chart]');
    Array.prototype.forEach.call(figures, function (figure) {
      var labels = [];
      var values = [];
      Array.prototype.forEach.call(figure.querySelectorAll('tbody tr'), function (row) {
        labels.push(row.querySelector('[data-label]').textContent);
        values.push(Number(row.querySelector('[data-value]').getAttribute('data-value')));
      });
      var box = figure.querySelector('.chart-box');
      var canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', figure.querySelector('h2').textContent + ': see the table below');
      box.appendChild(canvas);
      var type = figure.getAttribute('data-chart');
      var palette = ['#2456c9', '#f79009', '#067647', '#b42318', '#7a5af8'];
      // One colour per slice on a doughnut (white between them); one colour for a line or bars,
      // and a line that never overshoots whole numbers between weeks.
      var dataset =
        type === 'doughnut'
          ? { label: 'Requests', data: values, backgroundColor: palette, borderColor: '#ffffff' }
          : { label: 'Requests', data: values, backgroundColor: '#2456c9', borderColor: '#2456c9', tension: 0 };
      new Chart(canvas, {
        type: type,
        data: { labels: labels, datasets: [dataset] },
        options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: type === 'doughnut' } }, scales: type === 'doughnut' ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
      figure.setAttribute('data-chart-drawn', 'true');
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
