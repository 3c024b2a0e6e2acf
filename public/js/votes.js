// Progressive enhancement: vote and withdraw without reloading the page. Without
// JavaScript the same forms post and redirect back.
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute('data-vote-form')) return;
    event.preventDefault();
    var button = form.querySelector('button');
    var token = form.querySelector('input[name="_csrf"]').value;
    // Busy, not disabled: a disabled button drops the keyboard focus to the page.
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'x-csrf-token': token, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '_csrf=' + encodeURIComponent(token),
    })
      .then(function (res) {
        if (!res.ok) throw new Error('vote failed');
        return res.json();
      })
      .then(function (data) {
        var count = form.querySelector('[data-votes]');
        count.textContent = String(data.votes);
        count.setAttribute('data-votes', String(data.votes));
        button.classList.toggle('voted', data.voted);
        button.setAttribute('aria-pressed', data.voted ? 'true' : 'false');
        form.action = form.action.replace(/\/(vote|unvote)$/, data.voted ? '/unvote' : '/vote');
        announce((data.voted ? 'Voted. ' : 'Vote withdrawn. ') + data.votes + (data.votes === 1 ? ' vote' : ' votes'));
      })
      .catch(function () {
        form.submit();
      })
      .finally(function () {
        button.removeAttribute('aria-disabled');
      });
  });

  // One polite live region for the page, so a screen reader hears the new count.
  var live = null;
  function announce(text) {
    if (!live) {
      live = document.createElement('p');
      live.className = 'visually-hidden';
      live.setAttribute('aria-live', 'polite');
      document.body.appendChild(live);
    }
    live.textContent = text;
  }
})();
