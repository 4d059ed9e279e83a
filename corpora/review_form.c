/* The review form as one self-contained HTML page, built as a libxml2 tree (so every probe
 * text is escaped by construction): the questions, one row an item, and a button that saves
 * the answers as the CSV that `mizani probes review import` reads. Nothing is fetched. */
#include "mizani/probes.h"

#include <libxml/HTMLtree.h>
#include <stdio.h>
#include <unistd.h>

static const char style[] =
    "body{font-family:sans-serif;margin:1.5em;max-width:75em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em;vertical-align:top}td.text{max-width:40em}"
    "tr.pair td.text{font-size:1.05em}";

/* Builds the CSV from the form's fields, quoting as RFC 4180 does, and offers it for saving. */
static const char script[] =
    "function q(s){return /[\",\\r\\n]/.test(s)?'\"'+s.replace(/\"/g,'\"\"')+'\"':s}"
    "function save(){var out=['file,where,kind,text,grammatical,natural,held,region,comment'];"
    "document.querySelectorAll('tr.item').forEach(function(r){var f=[r.dataset.file,"
    "r.dataset.where,r.dataset.kind,r.querySelector('td.text').textContent];"
    "r.querySelectorAll('select,input').forEach(function(e){f.push(e.value)});"
    "out.push(f.map(q).join(','))});var a=document.createElement('a');"
    "a.href=URL.createObjectURL(new Blob([out.join('\\n')+'\\n'],{type:'text/csv'}));"
    "a.download=(document.getElementById('reviewer').value||'reviewer')+'.csv';a.click()}";

static const char *const questions[][2] = {
    {"grammatical", "Grammatical? (spelling and noun class, for a word)"},
    {"natural", "Natural? (would a speaker say it; for a word, is this its main sense)"},
    {"held", "Pairs: is the stereotype held where you live? Words: does it belong in its list?"},
};

static xmlNodePtr text_child(xmlNodePtr parent, const char *name, const char *text) {
    return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void answer_cells(xmlNodePtr row) {
    static const char *const options[] = {"", "yes", "no", "unsure"};
    for (int q = 0; q < 3; q++) {
        xmlNodePtr sel = xmlNewChild(text_child(row, "td", NULL), NULL, BAD_CAST "select", NULL);
        xmlNewProp(sel, BAD_CAST "title", BAD_CAST questions[q][1]);
        for (int o = 0; o < 4; o++)
            xmlNewProp(text_child(sel, "option", o ? options[o] : "-"), BAD_CAST "value",
                       BAD_CAST options[o]);
    }
    static const char *const hints[] = {"region (e.g. Mombasa, Dar es Salaam, Nairobi)", "comment"};
    for (int i = 0; i < 2; i++) {
        xmlNodePtr in = xmlNewChild(text_child(row, "td", NULL), NULL, BAD_CAST "input", NULL);
        xmlNewProp(in, BAD_CAST "placeholder", BAD_CAST hints[i]);
    }
}

static void intro(xmlNodePtr body, size_t n) {
    char line[160];
    text_child(body, "h1", "Mizani: native-speaker review of the Swahili probes");
    text_child(body, "p",
               "CONTENT WARNING: the sentences state stereotypes (about women and men, religions, "
               "ethnic groups, disability, albinism, HIV, sexual orientation and others) so that "
               "an audit can measure whether a language model prefers them. They are not "
               "endorsed.");
    snprintf(line, sizeof line,
             "%zu items. For each, answer the three questions (yes, no or "
             "unsure), name your region, and add a comment where useful:",
             n);
    text_child(body, "p", line);
    xmlNodePtr ul = text_child(body, "ul", NULL);
    for (int q = 0; q < 3; q++)
        text_child(ul, "li", questions[q][1]);
    text_child(body, "p",
               "Then type your name and press the button: the answers are saved as a "
               "CSV file for 'mizani probes review import'. Nothing leaves your "
               "computer otherwise.");
    xmlNodePtr p = text_child(body, "p", "Reviewer: ");
    xmlNodePtr in = xmlNewChild(p, NULL, BAD_CAST "input", NULL);
    xmlNewProp(in, BAD_CAST "id", BAD_CAST "reviewer");
    xmlNodePtr button = text_child(p, "button", "Save answers as CSV");
    xmlNewProp(button, BAD_CAST "onclick", BAD_CAST "save()");
}

static void item_rows(xmlNodePtr table, const mz_review_items *l) {
    xmlNodePtr head = text_child(table, "tr", NULL);
    const char *titles[] = {"#",       "kind",        "item",   "grammatical",
                            "natural", "held / fits", "region", "comment"};
    for (int c = 0; c < 8; c++)
        text_child(head, "th", titles[c]);
    for (size_t i = 0; i < l->n; i++) {
        const mz_review_item *it = &l->items[i];
        char num[24], cls[24];
        snprintf(num, sizeof num, "%zu", i + 1);
        snprintf(cls, sizeof cls, "item %s", it->kind);
        xmlNodePtr row = text_child(table, "tr", NULL);
        xmlNewProp(row, BAD_CAST "class", BAD_CAST cls);
        xmlNewProp(row, BAD_CAST "data-file", BAD_CAST it->file);
        xmlNewProp(row, BAD_CAST "data-where", BAD_CAST it->where);
        xmlNewProp(row, BAD_CAST "data-kind", BAD_CAST it->kind);
        text_child(row, "td", num);
        text_child(row, "td", it->kind);
        xmlNewProp(text_child(row, "td", it->text), BAD_CAST "class", BAD_CAST "text");
        answer_cells(row);
    }
}

mz_status mz_review_write_html(const mz_review_items *l, const char *path, mz_ctx *ctx) {
    htmlDocPtr doc = htmlNewDoc(BAD_CAST "about:legacy-compat", NULL);
    xmlNodePtr html = xmlNewNode(NULL, BAD_CAST "html");
    if (!doc || !html) {
        xmlFreeDoc(doc);
        return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    }
    xmlDocSetRootElement(doc, html);
    xmlNewProp(html, BAD_CAST "lang", BAD_CAST "sw");
    xmlNodePtr head = text_child(html, "head", NULL), body = text_child(html, "body", NULL);
    xmlNewProp(text_child(head, "meta", NULL), BAD_CAST "charset", BAD_CAST "utf-8");
    text_child(head, "title", "Mizani review form");
    text_child(head, "style", style);
    text_child(head, "script", script);
    intro(body, l->n);
    item_rows(text_child(body, "table", NULL), l);
    mz_status rc = MZ_OK;
    if (htmlSaveFileFormat(path, doc, "UTF-8", 1) < 0)
        rc = mz_fail_errno(ctx, path, "cannot write the review form");
    xmlFreeDoc(doc);
    return rc;
}
