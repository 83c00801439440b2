// Selecting a passage in a page's text fills the "Add a code" form with its exact offsets.
// Without JavaScript the form still works: paste the passage and choose the page.
(function () {
  "use strict";
  var form = document.getElementById("add-code-form");
  if (!form) { return; }
  function offsetWithin(container, node, offset) {
    // Count the page text's own characters, skipping screen-reader notes added for marks.
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, null);
    var total = 0, current;
    while ((current = walker.nextNode())) {
      if (current.parentElement && current.parentElement.closest(".sr-note")) { continue; }
      if (current === node) { return total + offset; }
      total += current.textContent.length;
    }
    return null;
  }
  document.addEventListener("mouseup", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    var startPage = range.startContainer.parentElement && range.startContainer.parentElement.closest(".page-text");
    var endPage = range.endContainer.parentElement && range.endContainer.parentElement.closest(".page-text");
    if (!startPage || startPage !== endPage) { return; }
    var start = offsetWithin(startPage, range.startContainer, range.startOffset);
    var end = offsetWithin(startPage, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) { return; }
    document.getElementById("add-start").value = start;
    document.getElementById("add-end").value = end;
    document.getElementById("add-page").value = startPage.getAttribute("data-page");
    document.getElementById("add-quote").value = selection.toString();
  });
  document.getElementById("add-quote").addEventListener("input", function () {
    // A typed or edited passage is located by its words, not by stale offsets.
    document.getElementById("add-start").value = "";
    document.getElementById("add-end").value = "";
  });
})();
