// Progressive enhancement: what someone types into a form marked data-draft is kept in this
// browser tab (sessionStorage) until the form has been sent, so a session that ended while
// they wrote (the post lands on the sign-in page) or a page left by mistake loses nothing.
// Kept per signed-in person (data-draft-owner on <body>) and dropped at sign-out, so the
// next person in the same tab never sees it. Without JavaScript, forms work as before.
(function () {
  'use strict';
  var PREFIX = 'portico-draft:';
  var SENDING = 'portico-draft-sending';
  var store;
  try {
    store = window.sessionStorage;
    store.getItem(SENDING);
  } catch {
    return; // storage refused (privacy settings): nothing to keep
  }
  var owner = document.body.getAttribute('data-draft-owner') || '';

  function keyOf(form) {
    return PREFIX + owner + ':' + form.getAttribute('action');
  }
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.name === '_csrf' || el.disabled) return false;
      var type = (el.type || '').toLowerCase();
      return ['hidden', 'password', 'file', 'submit', 'button', 'reset'].indexOf(type) < 0;
    });
  }
  function isText(el) {
    if (el.tagName === 'TEXTAREA') return true;
    return el.tagName === 'INPUT' && ['text', 'search', 'email', 'url'].indexOf((el.type || '').toLowerCase()) >= 0;
  }
  function read(form) {
    var values = {};
    var typed = false;
    fieldsOf(form).forEach(function (el) {
      if (el.type === 'checkbox') values[el.name + '=' + el.value] = el.checked;
      else if (el.type === 'radio') {
        if (el.checked) values[el.name] = el.value;
      } else {
        values[el.name] = el.value;
        if (isText(el) && el.value.trim() !== '') typed = true;
      }
    });
    return typed ? values : null;
  }
  // A draft whose ticked box the form no longer has (an internal note, where the page now has
  // no "internal" box) is not put back: sent without it, it would go out as something else.
  function fits(form, values) {
    var boxes = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === 'checkbox') boxes[el.name + '=' + el.value] = true;
    });
    return Object.keys(values).every(function (k) {
      return k.indexOf('=') < 0 || values[k] !== true || boxes[k] === true;
    });
  }
  function write(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (el.type === 'checkbox') {
        var k = el.name + '=' + el.value;
        if (k in values) el.checked = values[k] === true;
      } else if (el.type === 'radio') {
        if (el.name in values) el.checked = values[el.name] === el.value;
      } else if (el.tagName === 'SELECT') {
        // Only a choice the list still offers (a project or owner no longer there stays as the page set it).
        var offered = Array.prototype.some.call(el.options, function (o) { return o.value === values[el.name]; });
        if (offered) el.value = String(values[el.name]);
      } else if (el.name in values) el.value = String(values[el.name]);
    });
  }
  function hasTyped(form) {
    return fieldsOf(form).some(function (el) { return isText(el) && el.value.trim() !== ''; });
  }
  function drop(key) {
    store.removeItem(key);
  }

  // Someone signed in: drafts kept for anyone else in this tab go (a session that ended, then
  // another person signing in), so their text is not left where this person's pages run.
  if (owner) {
    for (var j = store.length - 1; j >= 0; j -= 1) {
      var other = store.key(j);
      if (other && other.indexOf(PREFIX) === 0 && other.indexOf(PREFIX + owner + ':') !== 0) store.removeItem(other);
    }
  }

  // The page after a form was sent: the sign-in page or an error page (data-keep-drafts), or
  // the same form shown again with its error, means it did not arrive; any other page means it did.
  var sending = store.getItem(SENDING);
  if (sending) {
    store.removeItem(SENDING);
    var again = Array.prototype.filter.call(document.querySelectorAll('form[data-draft]'), function (f) { return keyOf(f) === sending; })[0];
    var refused = document.querySelector('[data-keep-drafts]') || (again && document.querySelector('.error[role="alert"]'));
    if (!refused) drop(sending);
  }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-draft]'), function (form) {
    var key = keyOf(form);
    var saved = null;
    try {
      saved = JSON.parse(store.getItem(key) || 'null');
    } catch {
      drop(key);
    }
    if (saved && !hasTyped(form) && fits(form, saved)) {
      write(form, saved);
      var note = document.createElement('p');
      note.className = 'notice info';
      note.setAttribute('role', 'status');
      note.setAttribute('data-draft-restored', '');
      note.textContent = 'Your unsent text was kept and is back in the form. ';
      var discard = document.createElement('button');
      discard.type = 'button';
      discard.className = 'link';
      discard.textContent = 'Discard it';
      discard.addEventListener('click', function () {
        drop(key);
        note.remove();
        form.reset(); // every field back as the page set it, boxes and choices included
      });
      note.appendChild(discard);
      form.insertBefore(note, form.firstChild);
    }
    var save = function () {
      var values = read(form);
      if (values) store.setItem(key, JSON.stringify(values));
      else drop(key);
    };
    form.addEventListener('input', save);
    form.addEventListener('change', save);
    form.addEventListener('submit', function () {
      save();
      store.setItem(SENDING, key);
    });
  });

  // Back to a page the browser kept whole (its back-forward cache): a form that was sent since
  // (its draft is gone) still shows the sent text, and sending it again would post it twice.
  // The forms are autocomplete="off" for the same reason when the page is fetched again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll('form[data-draft]'), function (form) {
      if (store.getItem(keyOf(form)) === null && hasTyped(form)) form.reset();
    });
  });

  // Signing out forgets every draft in this tab.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || !/\/logout$/.test(form.getAttribute('action') || '')) return;
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var k = store.key(i);
      if (k && (k.indexOf(PREFIX) === 0 || k === SENDING)) store.removeItem(k);
    }
  });
})();
