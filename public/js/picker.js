// Search-as-you-type for the "add a person" field: fills the datalist from the server.
(function () {
  'use strict';
  var input = document.querySelector('[data-people-search]');
  if (!input) return;
  var list = document.getElementById(input.getAttribute('list'));
  var timer = null;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      fetch(input.getAttribute('data-people-search') + '?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : []; })
        .then(function (people) {
          list.textContent = '';
          people.forEach(function (p) {
            var option = document.createElement('option');
            option.value = p.email;
            option.textContent = p.name + (p.customer ? ' (customer)' : '');
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
