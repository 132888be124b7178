// Keys for a fast pass over the facts list: j / k next / previous fact, a accept it, r reject it
// (the cursor goes to the reason; Enter sends), Enter open it. Keys typed in a field are left alone.
(function () {
  var table = document.getElementById('facts');
  if (!table || !table.classList.contains('with-actions')) { return; }
  var rows = function () { return Array.prototype.slice.call(table.tBodies[0].rows); };
  var current = null;
  function select(row, scroll) {
    if (!row) { return; }
    if (current) { current.classList.remove('current'); }
    current = row;
    row.classList.add('current');
    if (scroll) {
      row.scrollIntoView({block: 'center'});
      if (history.replaceState) { history.replaceState(null, '', location.pathname + location.search + '#' + row.id); }
    }
  }
  // After an action the page comes back at the next fact (#fact-...): start there, and follow such links.
  function fromHash() {
    var row = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    return row && row.tagName === 'TR' && row.parentNode.parentNode === table ? row : null;
  }
  if (fromHash()) { select(fromHash(), true); } else { select(rows()[0], false); }
  window.addEventListener('hashchange', function () { if (fromHash()) { select(fromHash(), true); } });
  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA' ||
                   target.tagName === 'BUTTON')) {
      if (event.key === 'Escape') { target.blur(); }
      return;
    }
    var all = rows(), i = all.indexOf(current);
    if (event.key === 'j') { select(all[Math.min(i + 1, all.length - 1)], true); }
    else if (event.key === 'k') { select(all[Math.max(i - 1, 0)], true); }
    else if (event.key === 'a' && current) {
      var accept = current.querySelector('form.accept');
      if (accept) { accept.submit(); }
    } else if (event.key === 'r' && current) {
      var why = current.querySelector('form.reject input.why');
      if (why) { why.focus(); }
    } else if (event.key === 'Enter' && current) {
      var link = current.querySelector('a.fact-link');
      if (link) { location.href = link.href; }
    } else { return; }
    event.preventDefault();
  });
}());
