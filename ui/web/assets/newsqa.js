// newsqa chat: a click on a citation [n] opens its source card beside the chat and flashes it.
if (!window.newsqaCitations) {
  window.newsqaCitations = true;
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest("a.nq-cite");
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      const card = document.getElementById(link.getAttribute("href").slice(1));
      if (!card) return;
      card.open = true;
      card.scrollIntoView({ behavior: "smooth", block: "nearest" });
      card.classList.remove("nq-flash");
      void card.offsetWidth;
      card.classList.add("nq-flash");
    },
    true,
  );
}
