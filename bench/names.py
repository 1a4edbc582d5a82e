"""Synthetic names for the national dataset: diverse like the register's real population, made up.

Per region of origin a head of common names (romanised as Dutch registers write them) drawn with
Zipf-like weights (the k-th most common name is about 1/k as frequent as the first), and a long
tail of names assembled from the region's syllables, so common names are common and most names are
rare. On top, the noise a register really has: transliteration variants (Mohammed / Mohamed /
Muhammad), given and family name swapped, the given name missing.

Every name is drawn from `random.Random` streams passed in, so the dataset stays reproducible;
weights are cumulated once (drawing is O(log n))."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass


def _w(words: str) -> list[str]:
    return words.split()


# fmt: off
_HORN_M = _w("Tesfay Yonas Dawit Haile Tekle Mehari Berhane Kidane Amanuel Filmon Yohannes Samuel Robel Merhawi Habtom Semere Tesfalem Biniam Daniel Henok Goitom Michael Ermias Kibrom Abraham Mulugeta Yemane Zerai Mussie Aron Natnael Tewolde Fitsum Efrem Solomon Girmay Hagos Alem Negash Medhanie Welday Ghebremedhin Tsegay Tekie Asmerom Mebrahtu Eyob Nahom Abel")
_HORN_F = _w("Helen Senait Luwam Saba Selam Rahel Feven Hiwet Meron Mehret Yordanos Tsega Lidya Winta Ruta Hanna Selamawit Eden Freweyni Almaz Abrehet Azieb Letekidan Mebrat")
_HORN_SYL = _w("ge bre wol de ha le tek ma ri am me dhin se la sie gi or gis mi ka el ye su ab ra ha go it om ber he ne ki da zer ai tes fa yo na tse")
_ARAB_M = _w("Mohammed Ahmed Ali Omar Mahmoud Hassan Hussein Khaled Youssef Ibrahim Mustafa Abdullah Amir Karim Samir Tarek Bilal Hamza Walid Ziad Fadi Nabil Rami Adel Jamal Said Salah Yasser Anas Majid Osama Faisal Hani Issa Marwan Nasser Tamer Wael Imad Sami Abdelrahman Abdulaziz Khalil Rashid Mazen Bassam Ayman Ammar Zakaria Idris")
_ARAB_F = _w("Fatima Aisha Mariam Nour Layla Zainab Amina Huda Rania Samira Hanan Salma Yasmin Rasha Dalia Heba Noura Lina Rana Sara Iman Khadija Asma Ghada")
_ARAB_FAM = _w("Mohammed Ahmed Ali Hassan Hussein Ibrahim Abdullah Mahmoud Mustafa Khalil Al-Ahmad Al-Hassan Haddad Saleh Nasser Youssef Omar Othman Suleiman Abbas Karim Darwish Hamdan Mansour Khoury Said Farouk Hamid Rahman Aziz Jaber Salem Qasim Al-Masri Al-Khatib Bakr Shaaban Najjar Awad Badawi Zaki Fares Ismail Ramadan Yassin Abdelkader Bensaid Benali El-Amrani Bouzid Hamdi Trabelsi")
_ARAB_SYL = _w("al ab del ra him ka ri ma sa li ha mi di na ja bir fa ru qa si mu ta zi ba dr ou sha ri yad ha wi ni")
_SOM_M = _w("Mohamed Abdi Ahmed Ali Hassan Abdullahi Omar Yusuf Ismail Farah Mahad Abdirahman Abdiaziz Said Jama Hussein Osman Nur Aden Warsame Mukhtar Liban Bashir Hamza Guled Ibrahim Abdikarim Khalid")
_SOM_F = _w("Hodan Fadumo Amina Sahra Hawa Ayan Nimo Ifrah Hibo Sagal Asha Deeqa Faiza Ubah Maryan")
_SOM_SYL = _w("ab di ra xa ma ed gu led war sa me ja ma fa rah hu sein ox man nur a den li ban")
_PERS_M = _w("Mohammad Ali Reza Hossein Mehdi Ahmad Amir Hamid Mohsen Javad Saeed Masoud Farhad Omid Behnam Navid Arash Dariush Kaveh Babak Hamed Majid Karim Rahim Nasir Sayed Abdul Wahid Jawad Mahmood Zabihullah Habibullah Shafiq Rahmatullah Najib Farid Ramin Sohrab")
_PERS_F = _w("Fatemeh Zahra Maryam Sara Nazanin Leila Shirin Parisa Mahsa Zeinab Roya Farzaneh Masoumeh Soraya Nasrin Homa Parwana Fariba")
_PERS_FAM = _w("Mohammadi Hosseini Ahmadi Rezaei Moradi Karimi Rahimi Jafari Hashemi Rostami Sadeghi Ghasemi Azizi Mousavi Heydari Sharifi Nazari Amiri Safari Kazemi Ebrahimi Akbari Najafi Habibi Hakimi Popal Sultani Wardak Noori Stanekzai Haidari Ahmadzai Rahmani Sediqi Yousufi Khalili Ansari Samadi Zamani Bahrami")
_PERS_SYL = _w("ka ri mi za de ha sha ra fa na zi ba ho sei ni ja ma da ne sa gha ze bah ram ta je ar")
_PAK_M = _w("Muhammad Ahmed Ali Hassan Usman Bilal Imran Kamran Tariq Asif Faisal Zubair Waqas Adnan Irfan Shahid Naveen Tharun Suresh Rajan Kumar")
_PAK_F = _w("Ayesha Fatima Sana Hira Sadia Nadia Priya Kavitha")
_PAK_FAM = _w("Khan Ahmed Ali Hussain Shah Malik Butt Qureshi Chaudhry Iqbal Sheikh Raza Siddiqui Mirza Akhtar Rana Perera Fernando Sivakumar Rajapaksa Jayasuriya Nadarajah Selvarajah")
_PAK_SYL = _w("ra sha ka ma na ja si va ku ri ta ha bu sa")
_WAF_M = _w("Mamadou Ibrahima Abdoulaye Moussa Ousmane Amadou Alpha Boubacar Sekou Lamine Oumar Mohamed Ibrahim Chinedu Emeka Oluwaseun Chukwuemeka Tunde Kwame Kofi Kwabena Yaw Samuel Emmanuel Joseph Daniel Alhaji Foday Lansana Modou Ebrima Lamin Mustapha Abubakar Yusuf Bakary Souleymane Adama Seydou Issa")
_WAF_F = _w("Fatoumata Mariama Aissatou Kadiatou Hawa Aminata Adama Ngozi Chioma Blessing Grace Esther Abena Akosua Isatou Fanta Awa Binta Rokia")
_WAF_FAM = _w("Diallo Barry Bah Sow Camara Conde Keita Toure Traore Kone Coulibaly Diarra Sylla Kouyate Cisse Fofana Kamara Sesay Bangura Conteh Jalloh Koroma Jallow Ceesay Sanneh Touray Okafor Okonkwo Eze Adeyemi Okeke Nwosu Mensah Owusu Boateng Asante Appiah Ndiaye Fall Diop Sissoko Doumbia Sangare Bamba")
_WAF_SYL = _w("o ba de ko ya ngo chu kwu e ze a mu sa ma du fo la ke ta kou ya te dia ra bo ni se")
_SLAV_M = _w("Aleksandr Sergei Dmitri Andrei Alexei Ivan Mikhail Nikolai Vladimir Pavel Oleksandr Taras Giorgi Levan David Nika Lasha Erion Arben Besnik Milan Nikola Stefan Dragan")
_SLAV_F = _w("Olga Natalia Irina Tatiana Elena Anna Yulia Oksana Nino Tamar Mariam Ana Elira Jelena Milica")
_SLAV_FAM = _w("Ivanov Smirnov Kuznetsov Popov Volkov Sokolov Lebedev Kozlov Novikov Morozov Petrov Shevchenko Kovalenko Bondarenko Tkachenko Beridze Kapanadze Gelashvili Maisuradze Giorgadze Hoxha Shehu Krasniqi Gashi Berisha Jovanovic Petrovic Nikolic Markovic")
_SLAV_SYL = _w("ko va le no vi ro sha mi dze shvi li ba te ra go ve")
_EAS_M = _w("Wei Jun Hao Lei Jie Tao Ming Bo Bat Erdene Gan Bold Tuvshin Temuulen")
_EAS_F = _w("Li Fang Jing Xiu Mei Yan Oyun Saraa Naran")
_EAS_FAM = _w("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Batbayar Gantulga Enkhbold Tserendorj Dorj")
_EAS_SYL = _w("zh an ch en li ang xi ao ba ta er de ne gan bo")
_LAT_M = _w("José Luis Carlos Juan Jorge Miguel Pedro Andrés Diego Rafael João Paulo Lucas Mateus Gabriel Anton Rishi Ravi")
_LAT_F = _w("María Ana Carmen Daniela Valentina Camila Juliana Fernanda Sharda")
_LAT_FAM = _w("Rodríguez González Martínez García López Pérez Gómez Sánchez Ramírez Torres Silva Santos Oliveira Souza Pereira Ferreira Lima Costa Pinas Linger Biharie Ramdin")
_LAT_SYL = _w("ro dri gue ra mi ta ve lo sa ca mo li na")
# fmt: on


@dataclass
class Region:
    given_m: list[str]
    given_f: list[str]
    family: list[str]  # the given names serve as family names too where names are patronymic
    syllables: list[str]
    tail_family: float  # share of family names from the long tail (assembled from syllables)
    tail_given: float
    double_given: float  # share with two given names


REGIONS = {
    "horn": Region(_HORN_M, _HORN_F, _HORN_M, _HORN_SYL, 0.5, 0.2, 0.1),
    "arab": Region(_ARAB_M, _ARAB_F, _ARAB_FAM, _ARAB_SYL, 0.6, 0.15, 0.25),
    "somali": Region(_SOM_M, _SOM_F, _SOM_M, _SOM_SYL, 0.4, 0.15, 0.1),
    "persian": Region(_PERS_M, _PERS_F, _PERS_FAM, _PERS_SYL, 0.6, 0.15, 0.2),
    "south_asia": Region(_PAK_M, _PAK_F, _PAK_FAM, _PAK_SYL, 0.5, 0.2, 0.2),
    "west_africa": Region(_WAF_M, _WAF_F, _WAF_FAM, _WAF_SYL, 0.55, 0.2, 0.15),
    "east_europe": Region(_SLAV_M, _SLAV_F, _SLAV_FAM, _SLAV_SYL, 0.5, 0.15, 0.05),
    "east_asia": Region(_EAS_M, _EAS_F, _EAS_FAM, _EAS_SYL, 0.3, 0.5, 0.05),
    "latin": Region(_LAT_M, _LAT_F, _LAT_FAM, _LAT_SYL, 0.5, 0.15, 0.4),
}
REGION_OF = {
    **dict.fromkeys(["ERI", "ETH"], "horn"),
    **dict.fromkeys(["SYR", "IRQ", "SDN", "LBY", "EGY", "TUN", "MAR", "DZA", "XXA", ""], "arab"),
    "SOM": "somali",
    **dict.fromkeys(["IRN", "AFG"], "persian"),
    **dict.fromkeys(["PAK", "LKA"], "south_asia"),
    **dict.fromkeys(["NGA", "GIN", "GHA", "SLE", "CMR", "GMB", "MLI", "CIV"], "west_africa"),
    **dict.fromkeys(["RUS", "GEO", "ALB", "UKR", "SRB"], "east_europe"),
    **dict.fromkeys(["CHN", "MNG"], "east_asia"),
    **dict.fromkeys(["BRA", "COL", "SUR", "VEN"], "latin"),
}

# Romanisation variants: (written form, another way of writing it). Applied to one occurrence.
TRANSLITERATIONS = [
    ("mohammed", "mohamed"), ("mohamed", "muhammad"), ("mohammad", "mohammed"),
    ("muhammad", "mohamad"), ("ou", "u"), ("u", "ou"), ("oo", "u"), ("ee", "i"), ("ie", "i"),
    ("i", "ee"), ("kh", "h"), ("h", "kh"), ("y", "i"), ("ai", "ei"), ("ei", "ay"), ("q", "k"),
    ("k", "q"), ("ph", "f"), ("sh", "ch"), ("dj", "j"), ("j", "dj"), ("z", "s"), ("e", "a"),
    ("a", "e"), ("tt", "t"), ("ss", "s"), ("mm", "m"), ("w", "ou"), ("dh", "d"), ("th", "t"),
    ("-", " "), ("-", ""), ("el-", "al-"), ("abdel", "abdul"), ("abdul", "abdel"),
]  # fmt: skip


FAMILY_ZIPF_S = 0.9  # family names are a little less concentrated than given names


def _zipf_cum(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1 / (k**s) for k in range(1, n + 1)))


class NameDrawer:
    """Draws (given names, family name) for a person of a country of origin."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._cum: dict[int, list[float]] = {}

    def _zipf(self, names: list[str], s: float = 1.0) -> str:
        cum = self._cum.get(id(names))
        if cum is None:
            cum = self._cum[id(names)] = _zipf_cum(len(names), s)
        return names[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def _tail(self, region: Region) -> str:
        parts = self.rng.choices(region.syllables, k=self.rng.choice((2, 3, 3, 4)))
        return "".join(parts).capitalize()

    def _given(self, region: Region, gender: str) -> str:
        if self.rng.random() < region.tail_given:
            return self._tail(region)
        pool = region.given_f if gender == "female" else region.given_m
        return self._zipf(pool)

    def draw(self, country: str, gender: str) -> tuple[str, str]:
        region = REGIONS[REGION_OF.get(country, "arab")]
        given = self._given(region, gender)
        if self.rng.random() < region.double_given:
            second = self._given(region, gender)
            if second != given:
                given = f"{given} {second}"
        if self.rng.random() < region.tail_family:
            family = self._tail(region)
        else:
            family = self._zipf(region.family, FAMILY_ZIPF_S)
            if family == given:  # a patronymic pool: draw once more
                family = self._zipf(region.family, FAMILY_ZIPF_S)
        return given, family

    def variant(self, name: str) -> str:
        """Another romanisation of `name` (the same name if no rule applies)."""
        lowered = name.lower()
        rules = [r for r in TRANSLITERATIONS if r[0] in lowered]
        if not rules:
            return name
        old, new = self.rng.choice(rules)
        at = lowered.find(old)
        out = lowered[:at] + new + lowered[at + len(old) :]
        return " ".join(w.capitalize() for w in out.split(" ")) if out.strip() else name

    def noisy(self, given: str, family: str) -> tuple[str, str]:
        """The register's own noise: how the name ended up being written at registration."""
        r = self.rng.random()
        if r < 0.05:  # written in another romanisation
            return (self.variant(given), family) if r < 0.02 else (given, self.variant(family))
        if r < 0.08:  # given and family name swapped
            return family, given
        if r < 0.10:  # only one name known
            return "", family
        return given, family
