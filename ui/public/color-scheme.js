// Applies the saved light/dark choice before the first paint (a classic script
// in <head>, allowed by the CSP's script-src 'self'), so a window never flashes
// the other scheme. useColorScheme.ts keeps it in step afterwards; its test
// runs this file to keep the two in agreement.
(function () {
  var pref = null;
  try {
    pref = localStorage.getItem("tasktalk.colorScheme");
  } catch (e) {
    /* storage disabled: follow the system */
  }
  var dark = pref === "dark" || (pref !== "light" && !!window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  var root = document.documentElement;
  root.dataset.theme = dark ? "dark" : "light";
  root.style.colorScheme = dark ? "dark" : "light";
})();
